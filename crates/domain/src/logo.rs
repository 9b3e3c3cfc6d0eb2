//! The instance's logo: a PNG checked by its content, never by its name or declared type.
//!
//! The rules (from the source document): PNG only, at most 1 MB, width and height each between
//! 100 and 1200 pixels, a transparent background recommended. The checks run cheapest first and
//! never allocate by what the file *declares*: the signature, then every chunk's length and CRC,
//! the header's dimensions, and only then a decode of the image data row by row (one row in
//! memory, under an allocation limit), which proves the IDAT stream complete and well-formed.

use std::io::Cursor;

/// At most 1 MB (1,048,576 bytes).
pub const MAX_BYTES: usize = 1_048_576;
/// Width and height each at least this many pixels...
pub const MIN_SIDE: u32 = 100;
/// ...and at most this many.
pub const MAX_SIDE: u32 = 1200;
/// What the decoder may allocate (a few rows of a 1200-pixel, 16-bit RGBA image fit easily).
const DECODE_LIMIT_BYTES: usize = 4 * 1024 * 1024;

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Why a file is not accepted as the logo. [`LogoError::code`] is the stable problem code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoError {
    #[error("No file was sent. Upload a PNG image (at most 1 MB, 100 to 1200 pixels wide and high).")]
    Missing,
    #[error("The file is not a PNG image (its content does not start with the PNG signature{}). Only PNG files are accepted.", .0.map(|k| format!("; it looks like {k}")).unwrap_or_default())]
    NotPng(Option<&'static str>),
    #[error("The file is {0} bytes; a logo may be at most 1 MB (1,048,576 bytes).")]
    TooLarge(usize),
    #[error("The image is {0}×{1} pixels; width and height must each be at least 100 pixels.")]
    TooSmallDimensions(u32, u32),
    #[error("The image is {0}×{1} pixels; width and height must each be at most 1200 pixels.")]
    TooLargeDimensions(u32, u32),
    #[error("The PNG file is damaged: {0}.")]
    Corrupt(String),
}

impl LogoError {
    pub fn code(&self) -> &'static str {
        match self {
            LogoError::Missing => "logo_missing",
            LogoError::NotPng(_) => "logo_not_png",
            LogoError::TooLarge(_) => "logo_too_large",
            LogoError::TooSmallDimensions(..) => "logo_too_small_dimensions",
            LogoError::TooLargeDimensions(..) => "logo_too_large_dimensions",
            LogoError::Corrupt(_) => "logo_corrupt",
        }
    }
}

/// A PNG that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoPng {
    bytes: Vec<u8>,
    width: u32,
    height: u32,
    has_alpha: bool,
}

impl LogoPng {
    /// Checks `bytes` against every rule.
    pub fn parse(bytes: Vec<u8>) -> Result<Self, LogoError> {
        if bytes.is_empty() {
            return Err(LogoError::Missing);
        }
        if bytes.len() > MAX_BYTES {
            return Err(LogoError::TooLarge(bytes.len()));
        }
        if !bytes.starts_with(&SIGNATURE) {
            return Err(LogoError::NotPng(sniff(&bytes)));
        }
        let header = walk_chunks(&bytes)?;
        decode_rows(&bytes)?;
        Ok(Self { width: header.width, height: header.height, has_alpha: header.alpha_channel || header.trns, bytes })
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// True when the image can be transparent (an alpha channel, or a `tRNS` chunk).
    pub fn has_alpha(&self) -> bool {
        self.has_alpha
    }

    /// Advice that does not refuse the file (a transparent background is recommended).
    pub fn warnings(&self) -> Vec<LogoWarning> {
        if self.has_alpha { Vec::new() } else { vec![LogoWarning::NoTransparency] }
    }
}

/// Advice about an accepted logo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoWarning {
    NoTransparency,
}

impl LogoWarning {
    pub fn code(self) -> &'static str {
        match self {
            LogoWarning::NoTransparency => "logo_no_transparency",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            LogoWarning::NoTransparency => {
                "The image has no transparency (no alpha channel and no tRNS chunk); a transparent background is recommended so the logo sits well on any colour."
            }
        }
    }
}

/// What other common formats look like, to say what a renamed file really is.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let starts = |p: &[u8]| bytes.starts_with(p);
    if starts(&[0xff, 0xd8, 0xff]) {
        Some("a JPEG image")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("a GIF image")
    } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some("a WebP image")
    } else if starts(b"BM") {
        Some("a BMP image")
    } else if starts(b"%PDF") {
        Some("a PDF document")
    } else if bytes.iter().take(256).any(|b| *b == b'<') && std::str::from_utf8(&bytes[..bytes.len().min(256)]).is_ok() {
        Some("text (SVG or HTML?)")
    } else {
        None
    }
}

struct Header {
    width: u32,
    height: u32,
    alpha_channel: bool,
    trns: bool,
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// Walks every chunk: lengths within the file, each CRC right, IHDR first and valid, at least one
/// IDAT, IEND last with nothing after it. The dimensions are checked as soon as IHDR is read.
fn walk_chunks(bytes: &[u8]) -> Result<Header, LogoError> {
    let mut pos = SIGNATURE.len();
    let mut header: Option<Header> = None;
    let mut idat = false;
    loop {
        if bytes.len() - pos < 12 {
            return Err(LogoError::Corrupt(format!("the file ends at byte {} inside a chunk header (truncated?)", bytes.len())));
        }
        let len = be32(&bytes[pos..]) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let name = String::from_utf8_lossy(kind).into_owned();
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(LogoError::Corrupt(format!("byte {pos} does not start a valid chunk")));
        }
        if len > bytes.len() - pos - 12 {
            return Err(LogoError::Corrupt(format!("chunk {name} at byte {pos} declares {len} bytes but the file ends first (truncated?)")));
        }
        let data = &bytes[pos + 8..pos + 8 + len];
        let crc = be32(&bytes[pos + 8 + len..]);
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(kind);
        hasher.update(data);
        if hasher.finalize() != crc {
            return Err(LogoError::Corrupt(format!("chunk {name} at byte {pos} has a wrong CRC")));
        }
        match (kind, &header) {
            (b"IHDR", None) if pos == SIGNATURE.len() => {
                if len != 13 {
                    return Err(LogoError::Corrupt("the IHDR header chunk has the wrong length".into()));
                }
                let (width, height, depth, color) = (be32(data), be32(&data[4..]), data[8], data[9]);
                let depth_ok = match color {
                    0 => matches!(depth, 1 | 2 | 4 | 8 | 16),
                    3 => matches!(depth, 1 | 2 | 4 | 8),
                    2 | 4 | 6 => matches!(depth, 8 | 16),
                    _ => false,
                };
                if width == 0 || height == 0 || !depth_ok || data[10] != 0 || data[11] != 0 || data[12] > 1 {
                    return Err(LogoError::Corrupt("the IHDR header declares an impossible image".into()));
                }
                if width > MAX_SIDE || height > MAX_SIDE {
                    return Err(LogoError::TooLargeDimensions(width, height));
                }
                if width < MIN_SIDE || height < MIN_SIDE {
                    return Err(LogoError::TooSmallDimensions(width, height));
                }
                header = Some(Header { width, height, alpha_channel: matches!(color, 4 | 6), trns: false });
            }
            (_, None) => return Err(LogoError::Corrupt("the first chunk is not the IHDR header".into())),
            (b"IHDR", Some(_)) => return Err(LogoError::Corrupt("the file has a second IHDR header".into())),
            (b"tRNS", Some(_)) => {
                if let Some(h) = header.as_mut() {
                    h.trns = true;
                }
            }
            (b"IDAT", Some(_)) => idat = true,
            (b"IEND", Some(_)) => {
                if !idat {
                    return Err(LogoError::Corrupt("the file has no image data (IDAT)".into()));
                }
                if pos + 12 != bytes.len() {
                    return Err(LogoError::Corrupt(format!("{} bytes follow the end of the image (IEND)", bytes.len() - pos - 12)));
                }
                return header.ok_or_else(|| LogoError::Corrupt("missing IHDR".into()));
            }
            _ => {}
        }
        pos += 12 + len;
    }
}

/// Decodes the image data one row at a time under an allocation limit: the IDAT stream must
/// inflate to exactly the rows the header declares.
fn decode_rows(bytes: &[u8]) -> Result<(), LogoError> {
    let corrupt = |e: png::DecodingError| LogoError::Corrupt(format!("the image data does not decode ({e})"));
    let decoder = png::Decoder::new_with_limits(Cursor::new(bytes), png::Limits { bytes: DECODE_LIMIT_BYTES });
    let mut reader = decoder.read_info().map_err(corrupt)?;
    while reader.next_row().map_err(corrupt)?.is_some() {}
    reader.finish().map_err(corrupt)?;
    Ok(())
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A PNG of `w`×`h` pixels (RGBA when `alpha`, else RGB), for tests.
    pub fn png(w: u32, h: u32, alpha: bool) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, w, h);
            enc.set_color(if alpha { png::ColorType::Rgba } else { png::ColorType::Rgb });
            enc.set_depth(png::BitDepth::Eight);
            let mut writer = enc.write_header().unwrap();
            let channels = if alpha { 4 } else { 3 };
            let data: Vec<u8> = (0..(w * h * channels)).map(|i| (i % 251) as u8).collect();
            writer.write_image_data(&data).unwrap();
        }
        out
    }

    fn code(r: Result<LogoPng, LogoError>) -> &'static str {
        match r {
            Ok(_) => "ok",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn accepts_the_bounds_and_reports_alpha() {
        let l = LogoPng::parse(png(100, 100, true)).unwrap();
        assert_eq!((l.width(), l.height(), l.has_alpha()), (100, 100, true));
        assert!(l.warnings().is_empty());
        let l = LogoPng::parse(png(1200, 1200, false)).unwrap();
        assert_eq!(l.warnings(), vec![LogoWarning::NoTransparency]);
    }

    #[test]
    fn refuses_each_rule_with_its_code() {
        assert_eq!(code(LogoPng::parse(vec![])), "logo_missing");
        assert_eq!(code(LogoPng::parse(png(99, 500, true))), "logo_too_small_dimensions");
        assert_eq!(code(LogoPng::parse(png(1201, 400, true))), "logo_too_large_dimensions");
        assert_eq!(code(LogoPng::parse(vec![0xff, 0xd8, 0xff, 0xe0, 0, 0])), "logo_not_png");
        assert_eq!(code(LogoPng::parse(b"GIF89a....".to_vec())), "logo_not_png");
        assert_eq!(code(LogoPng::parse(vec![0u8; MAX_BYTES + 1])), "logo_too_large");

        let good = png(200, 200, true);
        assert_eq!(code(LogoPng::parse(good[..good.len() - 30].to_vec())), "logo_corrupt");
        let mut crc = good.clone();
        let at = crc.len() / 2;
        crc[at] ^= 0xff;
        assert_eq!(code(LogoPng::parse(crc)), "logo_corrupt");
        let mut trailing = good.clone();
        trailing.extend_from_slice(b"junk");
        assert_eq!(code(LogoPng::parse(trailing)), "logo_corrupt");
    }

    #[test]
    fn a_huge_declared_size_is_refused_from_the_header() {
        // Rewrite IHDR to 100000×100000 (with a correct CRC): refused before any decoding.
        let mut p = png(100, 100, true);
        p[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        p[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let mut h = crc32fast::Hasher::new();
        h.update(&p[12..29]);
        let crc = h.finalize();
        p[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(LogoPng::parse(p), Err(LogoError::TooLargeDimensions(100_000, 100_000)));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// Hostile input never panics: any damage to a valid PNG is refused or accepted cleanly.
        #[test]
        fn damaged_pngs_never_panic(at in 0usize..4000, byte in proptest::prelude::any::<u8>(), cut in 0usize..4000) {
            let mut p = png(120, 110, true);
            let i = at % p.len();
            p[i] = byte;
            let _ = LogoPng::parse(p.clone());
            p.truncate(cut % p.len());
            let _ = LogoPng::parse(p);
        }

        #[test]
        fn arbitrary_bytes_after_the_signature_never_panic(tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let mut p = SIGNATURE.to_vec();
            p.extend(tail);
            proptest::prop_assert!(LogoPng::parse(p).is_err());
        }
    }

    #[test]
    fn idat_that_does_not_match_the_header_is_corrupt() {
        // A valid 100×100 IDAT stream under a header claiming 100×200: chunks and CRCs are fine,
        // the decode finds the data short.
        let mut p = png(100, 100, true);
        p[20..24].copy_from_slice(&200u32.to_be_bytes());
        let mut h = crc32fast::Hasher::new();
        h.update(&p[12..29]);
        let crc = h.finalize();
        p[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(code(LogoPng::parse(p)), "logo_corrupt");
    }
}
