#!/usr/bin/env bash
# Writes the seed corpora (fuzz/seeds/<target>/) from real shapes: the demo's input files
# (made by `renkei demo` with the binary given, cut to a few KB each), the test fixtures,
# renkei's sample config and header aliases, and the forms each parser documents.
# Run it again after the demo's files change: ./fuzz/seed.sh path/to/renkei
set -euo pipefail
cd "$(dirname "$0")"
bin="${1:?usage: fuzz/seed.sh path/to/renkei}"
demo=$(mktemp -d)
trap 'rm -rf "$demo"' EXIT
"$bin" demo --dir "$demo" > /dev/null 2>&1
rm -rf seeds
mkdir -p seeds/{text_decoding,text_table,workbook,zip_guard,wareki,months_and_years,timestamps,money,cells,config,names}
i=0
for f in "$demo"/inbox/*.csv "$demo"/inbox/*.ndjson; do
  i=$((i + 1))
  head -c 3000 "$f" > "seeds/text_decoding/demo-$i"
  head -c 3000 "$f" | iconv -f CP932 -t UTF-8 2>/dev/null > "seeds/text_table/demo-$i" || cp "seeds/text_decoding/demo-$i" "seeds/text_table/demo-$i"
done
cp "$demo"/inbox/*.gz seeds/text_decoding/gzip-1
printf '\xef\xbb\xbf日時,利用者ID\r\n2025-07-01 09:00,U1\r\n' > seeds/text_decoding/bom
printf "\xff\xfe\xe5\x65\x2c\x00" > seeds/text_decoding/utf16
for f in "$demo"/inbox/*.xlsx ../tests/fixtures/*.xls; do
  i=$((i + 1))
  ext="${f##*.}"
  case "$ext" in xlsx) b='\x00' ;; xls) b='\x01' ;; *) b='\x02' ;; esac
  { printf "$b"; cat "$f"; } > "seeds/workbook/$i"
  cp "$f" "seeds/zip_guard/$i"
done
# Text forms, one per file: what the logs, sheets and users write.
put() { local dir=$1; shift; local n=0; for s in "$@"; do n=$((n + 1)); printf '%s' "$s" > "seeds/$dir/$n"; done; }
put wareki "令和7年7月1日" "令和元年5月1日" "平成31年4月30日" "昭和64年1月7日" "R7.7.1" "H31/4/30" "令和７年７月１日" "明治6年1月1日"
put months_and_years "2025-07" "2025年7月" "令和7年7月" "R7.7" "2025/07" "2025" "FY2025" "R7" "令和7年度" "令和元年度" "平成30年度"
put timestamps "2025-07-01 09:15:00" "2025-07-01T09:15:00+09:00" "2025-07-01T00:15:00Z" "2025/7/1 9:15" "令和7年7月1日 9:15" "45839.385416" "2025-07-01 09:15:00.123" "2025年7月1日 09:15:00"
put money "1,330,000円" "約546万円" "△500,000" "(1,234)" "１，２３４円" "100万円" "5,800,000" "1,2,30円" "¥12,000" "千円"
put cells "合計" "小計" "※注記" "2025/7/1" "TRUE" "○" "1,200,000" "R7"
put names "ゆきぐにｸﾘﾆｯｸ" "医療法人 齋藤記念病院" "株式会社みなみ薬局" "十日町病院　" "斎藤記念病院"
cp ../data/renkei.toml seeds/config/sample.toml
printf '[sources.vendor_x]\nkind = "access_log"\ncolumns = { occurred_at = "AccessTime", patient_id = "PtNo" }\nencoding = "shift_jis"\n' > seeds/config/source_map.toml
printf '[web]\nlisten = "0.0.0.0:8443"\nhosts = ["renkei.local"]\n' > seeds/config/web.toml
echo "seeds: $(find seeds -type f | wc -l) files"
