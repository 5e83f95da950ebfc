//! Money (円, 万円, 千円, △, parentheses, full-width digits, 約): any text never panics; an
//! amount written with separators, △ or parentheses, in full-width or not, reads back.
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use renkei_core::domain::Yen;
use renkei_core::domain::yen::group_thousands;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    text: &'a str,
    unit: u8,
    amount: i64,
    style: u8,
}

fuzz_target!(|input: Input<'_>| {
    let unit = [1, 1_000, 10_000][input.unit as usize % 3];
    let _ = Yen::parse(input.text, unit);
    let n = input.amount / 1_000_000; // within ±9.2 × 10¹² yen: every real budget
    let digits = group_thousands(n.abs());
    let written = match input.style % 4 {
        0 if n < 0 => format!("△{digits}円"),
        1 if n < 0 => format!("({digits})"),
        2 => {
            let full: String =
                digits
                    .chars()
                    .map(|c| {
                        if c.is_ascii_digit() {
                            char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap()
                        } else {
                            c
                        }
                    })
                    .collect();
            format!("{}{full}円", if n < 0 { "△" } else { "" })
        }
        _ => format!("{}{digits}", if n < 0 { "-" } else { "" }),
    };
    let read = Yen::parse(&written, 1).unwrap_or_else(|e| panic!("{written}: {e}"));
    assert_eq!(read.amount, n, "{written}");
});
