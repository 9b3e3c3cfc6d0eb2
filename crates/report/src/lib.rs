//! Printable documents. An invoice is laid out as a PDF with `pdf-writer`, in the standard
//! Helvetica fonts every PDF reader has (nothing to embed for the Latin text an invoice holds;
//! characters outside Windows-1252 print as `?`). Pages are added as the lines need them, each
//! with its number.

use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str, TextStr};

/// One line of an invoice, its amount formatted already.
#[derive(Debug, Clone)]
pub struct Line {
    pub description: String,
    pub quantity: String,
    pub amount: String,
}

/// What an invoice shows.
#[derive(Debug, Clone)]
pub struct InvoiceDoc {
    pub number: String,
    /// Who is billed: the instance's name and slug.
    pub billed_to: String,
    pub period: String,
    pub issued: String,
    pub plan: String,
    pub usage: String,
    pub lines: Vec<Line>,
    pub total: String,
    /// The issuer's name, at the top.
    pub issuer: String,
}

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;

/// Windows-1252 bytes of `s` (the encoding the standard fonts are set up with).
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '\u{20}'..='\u{7e}' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        })
        .collect()
}

/// Helvetica's advance width of a Windows-1252 byte, in thousandths of the font size (the
/// characters an amount or a number holds; others as an average).
fn advance(b: u8, bold: bool) -> f32 {
    match b {
        b'0'..=b'9' => 556.0,
        b' ' | b'.' | b',' => 278.0,
        b'-' => 333.0,
        0x80 => 556.0,
        b'A'..=b'Z' => 667.0,
        _ if bold => 611.0,
        _ => 556.0,
    }
}

fn text_width(s: &str, size: f32, bold: bool) -> f32 {
    win_ansi(s).iter().map(|b| advance(*b, bold)).sum::<f32>() * size / 1000.0
}

/// Cuts `s` to fit `width` (with an ellipsis).
fn fit(s: &str, size: f32, width: f32) -> String {
    if text_width(s, size, false) <= width {
        return s.to_owned();
    }
    let mut out = String::new();
    for c in s.chars() {
        if text_width(&format!("{out}{c}…"), size, false) > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

struct Page {
    content: Content,
    y: f32,
}

impl Page {
    fn new() -> Self {
        Self { content: Content::new(), y: HEIGHT - MARGIN }
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, s: &str) {
        self.content.begin_text();
        self.content.set_font(Name(if bold { b"F2" } else { b"F1" }), size);
        self.content.next_line(x, y);
        self.content.show(Str(&win_ansi(s)));
        self.content.end_text();
    }

    fn right(&mut self, right: f32, y: f32, size: f32, bold: bool, s: &str) {
        let w = text_width(s, size, bold);
        self.text(right - w, y, size, bold, s);
    }

    fn rule(&mut self, y: f32, gray: f32) {
        self.content.set_stroke_gray(gray);
        self.content.set_line_width(0.6);
        self.content.move_to(MARGIN, y);
        self.content.line_to(WIDTH - MARGIN, y);
        self.content.stroke();
    }
}

/// The invoice as a PDF document.
pub fn invoice_pdf(doc: &InvoiceDoc) -> Vec<u8> {
    let right = WIDTH - MARGIN;
    let (qty_x, amount_x) = (right - 150.0, right);
    let mut pages = vec![Page::new()];
    {
        let p = &mut pages[0];
        p.text(MARGIN, p.y, 10.0, true, &doc.issuer);
        p.right(right, p.y, 22.0, true, "Invoice");
        p.y -= 40.0;
        for (label, value) in [
            ("Invoice number", doc.number.as_str()),
            ("Billed to", &doc.billed_to),
            ("Period", &doc.period),
            ("Issued", &doc.issued),
            ("Plan", &doc.plan),
            ("Usage", &doc.usage),
        ] {
            p.text(MARGIN, p.y, 10.0, true, label);
            p.text(MARGIN + 110.0, p.y, 10.0, false, &fit(value, 10.0, right - MARGIN - 110.0));
            p.y -= 16.0;
        }
        p.y -= 20.0;
    }
    let header = |p: &mut Page| {
        p.text(MARGIN, p.y, 10.0, true, "Description");
        p.right(qty_x, p.y, 10.0, true, "Quantity");
        p.right(amount_x, p.y, 10.0, true, "Amount");
        p.y -= 6.0;
        p.rule(p.y, 0.2);
        p.y -= 16.0;
    };
    header(&mut pages[0]);
    for line in &doc.lines {
        if pages.last().is_some_and(|p| p.y < MARGIN + 60.0) {
            pages.push(Page::new());
            if let Some(p) = pages.last_mut() {
                header(p);
            }
        }
        let Some(p) = pages.last_mut() else { break };
        p.text(MARGIN, p.y, 10.0, false, &fit(&line.description, 10.0, qty_x - MARGIN - 80.0));
        p.right(qty_x, p.y, 10.0, false, &line.quantity);
        p.right(amount_x, p.y, 10.0, false, &line.amount);
        p.y -= 18.0;
    }
    if pages.last().is_some_and(|p| p.y < MARGIN + 60.0) {
        pages.push(Page::new());
    }
    if let Some(p) = pages.last_mut() {
        p.rule(p.y + 8.0, 0.2);
        p.y -= 10.0;
        p.text(qty_x - 120.0, p.y, 12.0, true, "Total");
        p.right(amount_x, p.y, 12.0, true, &doc.total);
    }
    let count = pages.len();
    for (i, p) in pages.iter_mut().enumerate() {
        p.right(right, MARGIN - 24.0, 8.0, false, &format!("{}  -  page {} of {count}", doc.number, i + 1));
    }

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let page_ids: Vec<Ref> = (0..count).map(|i| Ref::new(6 + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(count as i32);
    pdf.document_info(info).title(TextStr(&format!("Invoice {}", doc.number))).producer(TextStr("Steward"));
    pdf.type1_font(regular).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    for (i, p) in pages.into_iter().enumerate() {
        let id = page_ids[i];
        let content_id = Ref::new(id.get() + 1);
        let mut page = pdf.page(id);
        page.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT)).parent(tree).contents(content_id);
        page.resources().fonts().pair(Name(b"F1"), regular).pair(Name(b"F2"), bold);
        drop(page);
        let data = p.content.finish();
        pdf.stream(content_id, &data);
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(lines: usize) -> InvoiceDoc {
        InvoiceDoc {
            number: "SHOP-202611".into(),
            billed_to: "Shop (shop)".into(),
            period: "2026-11-01 – 2026-11-30".into(),
            issued: "2026-12-01".into(),
            plan: "Starter".into(),
            usage: "1,002,501 API calls, 12 end users".into(),
            lines: (0..lines).map(|i| Line { description: format!("Line {i} – €"), quantity: "30 days".into(), amount: "€29.00".into() }).collect(),
            total: "€29.00".into(),
            issuer: "Steward".into(),
        }
    }

    #[test]
    fn an_invoice_is_a_pdf_with_its_text() {
        let pdf = invoice_pdf(&doc(2));
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.ends_with(b"%%EOF\n") || pdf.ends_with(b"%%EOF"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("(SHOP-202611)"));
        assert!(text.contains("/Helvetica-Bold"));
        assert!(text.contains("/Count 1"));
    }

    #[test]
    fn long_invoices_get_more_pages() {
        let pdf = invoice_pdf(&doc(120));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Count 4"), "120 lines take four pages");
        assert!(text.contains("page 4 of 4"));
    }

    #[test]
    fn text_is_encoded_for_the_standard_fonts() {
        assert_eq!(win_ansi("€ – é ✓"), vec![0x80, b' ', 0x96, b' ', 0xe9, b' ', b'?']);
        assert!(fit(&"x".repeat(500), 10.0, 100.0).ends_with('…'));
    }
}
