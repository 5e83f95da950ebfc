"""Writes the access-log shapes of bench/ingest_matrix.sh: the same kind of rows (a network
of 8 hospitals and 60 clinics), each shape changing one thing a vendor's export changes.

usage: make_logs.py WORK ROWS SHAPE...   (writes WORK/SHAPE.<ext> and WORK/名簿_R7.csv;
       REUSE=1 keeps a shape's file already in WORK)
"""
import json, os, random, sys
from datetime import datetime, timedelta

work, rows, shapes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
hospitals = ["魚沼基幹病院", "十日町病院", "南魚沼市民病院", "小出病院", "齋藤記念病院", "松代病院", "津南病院", "湯沢町保健医療センター"]
clinics = [f"テスト診療所{i:02d}" for i in range(60)]
with open(f"{work}/名簿_R7.csv", "w", encoding="utf-8") as f:
    f.write("施設名,種別,市町\n")
    for h in hospitals:
        f.write(f"{h},病院,南魚沼市\n")
    for c in clinics:
        f.write(f"{c},診療所,魚沼市\n")
viewers = hospitals + clinics
types = ["画像", "検査", "処方", "文書"]
ERAS = [(datetime(2019, 5, 1), "令和", 2018), (datetime(1989, 1, 8), "平成", 1988)]


def era(t):
    for start, name, base in ERAS:
        if t >= start:
            y = t.year - base
            return f"{name}{'元' if y == 1 else y}年{t.month}月{t.day}日 {t.hour}:{t.minute:02d}"


def spec(shape):
    """(years, time form, users, patients, encoding, container, english headers)."""
    s = dict(years=1 if "1m" in shape else 7, form="plain", users=400, patients=60_000, enc="utf-8", kind="csv", en=False)
    for part in shape.split("_"):
        if part in ("iso9", "isoz", "slash", "era", "serial"):
            s["form"] = part
        elif part == "u20k":
            s["users"] = 20_000
        elif part == "u2k":
            s["users"] = 2_000
        elif part == "p600k":
            s["patients"] = 600_000
        elif part == "sjis":
            s["enc"] = "cp932"
        elif part in ("jsonl", "fhir"):
            s["kind"] = part
        elif part == "en":
            s["en"] = True
    return s


def when(i, years):
    # Spread over `years` fiscal years from April 2019 (or one month: July 2025), in order.
    if years == 1:
        start, span = datetime(2025, 7, 1), 31 * 86400
    else:
        start, span = datetime(2025 - years + 1, 4, 1), years * 365 * 86400
    t = start + timedelta(seconds=i * span // rows)
    return t.replace(hour=8 + t.hour % 11)


def stamp(t, form):
    if form == "plain":
        return t.strftime("%Y-%m-%d %H:%M:%S")
    if form == "iso9":
        return t.strftime("%Y-%m-%dT%H:%M:%S+09:00")
    if form == "isoz":
        return (t - timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M:%SZ")
    if form == "slash":
        return f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}"
    if form == "era":
        return era(t)
    if form == "serial":
        return f"{(t - datetime(1899, 12, 30)).total_seconds() / 86400:.6f}"


for shape in shapes:
    s = spec(shape)
    random.seed(sum(map(ord, shape)))
    ext = {"csv": "csv", "jsonl": "jsonl", "fhir": "ndjson"}[s["kind"]]
    if os.environ.get("REUSE") and os.path.exists(f"{work}/{shape}.{ext}"):
        print(f"{shape}.{ext}")
        continue
    header = ("timestamp,system,user_id,facility,patient_id,disclosing_facility,data_type,action\r\n" if s["en"]
              else "日時,システム,利用者ID,利用施設,患者ID,開示施設,データ種別,操作\r\n")
    with open(f"{work}/{shape}.{ext}", "w", encoding=s["enc"], newline="") as f:
        if s["kind"] == "csv":
            f.write(header)
        for i in range(rows):
            t = when(i, s["years"])
            v, d = random.choice(viewers), random.choice(hospitals)
            system = "ID-Link" if i % 5 else "Team"
            user, patient = f"U{random.randrange(s['users']):05d}", f"P{random.randrange(s['patients']):08d}"
            if s["kind"] == "csv":
                f.write(f"{stamp(t, s['form'])},{system},{user},{v},{patient},{d},{types[i % 4]},閲覧\r\n")
            elif s["kind"] == "jsonl":
                f.write(json.dumps({"timestamp": stamp(t, "iso9"), "system": system, "user_id": user, "facility": v,
                                    "patient_id": patient, "disclosing_facility": d, "data_type": types[i % 4],
                                    "action": "閲覧"}, ensure_ascii=False) + "\n")
            else:
                f.write(json.dumps({
                    "resourceType": "AuditEvent",
                    "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest"},
                    "subtype": [{"display": types[i % 4]}], "action": "R", "recorded": stamp(t, "isoz"),
                    "agent": [{"who": {"identifier": {"value": user}}, "requestor": True},
                              {"who": {"reference": "Organization/1", "type": "Organization", "display": v},
                               "requestor": False}],
                    "source": {"site": system, "observer": {"display": d}},
                    "entity": [{"what": {"reference": f"Patient/{patient}", "identifier": {"value": patient}}}],
                }, ensure_ascii=False) + "\n")
    print(f"{shape}.{ext}")
