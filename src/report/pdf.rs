//! PDF attachments typeset in-process with typst: a typst template (from `templates/`)
//! reads its numbers from a virtual `data.json` and its charts from virtual PNG files, so
//! no value is ever spliced into markup. The bundled Noto Sans CJK JP subset is the only
//! font; typst-pdf embeds and subsets it. No packages, no network, no files from disk.

use std::collections::HashMap;
use std::sync::LazyLock;

use anyhow::anyhow;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

/// The Japanese font every PDF uses (SIL OFL 1.1, `data/fonts/OFL.txt`).
static FONT: &[u8] = include_bytes!("../../data/fonts/NotoSansCJKjp-Regular-subset.otf");

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = Font::iter(Bytes::new(FONT)).collect();
    Fonts { book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts }
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The name of the font family to `#set text(font: ..)` in templates.
pub const FONT_FAMILY: &str = "Noto Sans CJK JP";

/// One compilation: the template as `main.typ` and the files it may read.
struct Job {
    main: Source,
    files: HashMap<FileId, Bytes>,
}

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("a plain relative path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

impl World for Job {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }
    fn main(&self) -> FileId {
        self.main.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(FileError::AccessDenied) }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.get(&id).cloned().ok_or(FileError::AccessDenied)
    }
    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // Reports state their own dates; a PDF must not change with the day it is made.
        None
    }
}

/// Typesets `template` (typst markup) into PDF bytes. `files` are what the template may
/// read by name, e.g. `("data.json", json)` and `("shares.png", png)`.
pub fn typeset(template: &str, files: Vec<(String, Vec<u8>)>) -> anyhow::Result<Vec<u8>> {
    let job = Job {
        main: Source::new(file_id("main.typ"), template.to_string()),
        files: files.into_iter().map(|(name, bytes)| (file_id(&name), Bytes::new(bytes))).collect(),
    };
    let document: PagedDocument = typst::compile(&job).output.map_err(|e| diagnostics(&job, &e))?;
    let options = typst_pdf::PdfOptions::default();
    typst_pdf::pdf(&document, &options).map_err(|e| diagnostics(&job, &e))
}

/// Typst's errors with the template line they point at (a template bug, not user input).
fn diagnostics(job: &Job, errors: &[SourceDiagnostic]) -> anyhow::Error {
    let text: Vec<String> = errors
        .iter()
        .map(|e| {
            let line = job.range(e.span).map(|r| job.main.lines().byte_to_line(r.start).unwrap_or(0) + 1);
            match line {
                Some(l) => format!("{}（テンプレート {l} 行目）", e.message),
                None => e.message.to_string(),
            }
        })
        .collect();
    anyhow!("PDF を組版できません: {}", text.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_text_and_data_become_a_pdf() {
        let template = r#"#set text(font: "Noto Sans CJK JP", lang: "ja")
#let d = json("data.json")
= 利用状況報告
#d.town の閲覧件数は #d.views 件です。"#;
        let pdf =
            typeset(template, vec![("data.json".into(), r#"{"town":"湯沢町","views":"1,234"}"#.as_bytes().to_vec())])
                .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        // The font is embedded as a subset (a tag like ABCDEF+ before its name).
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("+NotoSansCJKjp"), "no subset font in the PDF");
    }

    #[test]
    fn markup_in_the_data_stays_text() {
        // A facility called like typst code: read from JSON it is a string, never evaluated
        // (evaluated, the #panic would fail the compilation).
        let template = "#let d = json(\"data.json\")\n#d.name";
        let data = r##"{"name":"#panic(\"boom\") *強調* $x$ <script>"}"##;
        let pdf = typeset(template, vec![("data.json".into(), data.as_bytes().to_vec())]).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn a_template_error_names_its_line() {
        let err = typeset("#let x = \n#undefined_thing", Vec::new()).unwrap_err().to_string();
        assert!(err.contains("行目"), "{err}");
    }
}
