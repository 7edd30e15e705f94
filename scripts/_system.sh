# Sourced by scripts/demo and scripts/test: system packages quotebot uses when present.
# Tesseract reads scanned drawings (through PyMuPDF's OCR); without it scans get a polite refusal.
if ! command -v tesseract >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr >/dev/null) \
      || echo "could not install tesseract-ocr: scanned drawings will not be read" >&2
  else
    echo "tesseract-ocr is not installed: scanned drawings will not be read (sudo apt-get install tesseract-ocr)" >&2
  fi
fi
