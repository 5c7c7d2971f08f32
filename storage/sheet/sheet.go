// Package sheet reads and writes the tabular files that school staff
// exchange with minqing: staff and student rosters in, bind codes and
// exports out. It knows CSV (as Excel on Chinese Windows writes it: GBK or
// UTF-8, with or without BOM, comma, tab or semicolon separated) and XLSX.
//
// Rows come back exactly as the user sees them in Excel: rows[i] is row i+1
// of the sheet, blank rows included (as empty slices), trailing empty cells
// trimmed. Interpreting the cells — finding the header, normalising names
// and classes — is the domain's job (roster.ParseStaff, roster.ParseStudents).
package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Formats understood by WriteTo.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// MaxFileSize bounds what Read loads: a school's roster is a few hundred
// kilobytes; anything far larger is a mistake (or not a roster).
const MaxFileSize = 64 << 20

// ErrUnsupported is returned (wrapped) for a file whose format Read or
// Write does not handle, such as the old binary .xls.
var ErrUnsupported = errors.New("unsupported file format")

// oleMagic starts every old binary Office file (.xls, .doc): a Compound
// File. Users rename such files to .xlsx surprisingly often.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// xlsErr is the message for an old binary Excel file.
const xlsErr = "这是旧版 Excel 文件（.xls），无法直接读取：请在 Excel/WPS 中“另存为” .xlsx 或 CSV（UTF-8）后再导入 " +
	"(old binary .xls is not supported: save it as .xlsx or CSV and import that)"

// Read loads the rows of the tabular file at path, choosing the format by
// its extension:
//
//   - .csv, .tsv, .txt: text, UTF-8 (with or without BOM), UTF-16 with a
//     BOM (Excel's “Unicode text”), or else GB18030 (a superset of the GBK
//     that Excel on Chinese Windows writes); the separator — comma, tab or
//     semicolon — is sniffed from the first records; quoted fields may hold
//     newlines; rows may have different lengths.
//   - .xlsx, .xlsm: the first visible sheet, each cell as Excel displays
//     it, except that large numbers Excel would show in scientific notation
//     (a phone or ID number typed as a number) come out in full. A merged
//     cell's value is in its top-left cell; the other cells are empty.
//   - .xls: an error (wrapping ErrUnsupported) telling the user, in Chinese
//     and English, to save the file as .xlsx or CSV.
//
// Errors name the path.
func Read(path string) ([][]string, error) {
	rows, err := read(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return rows, nil
}

func read(path string) ([][]string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".csv", ".tsv", ".txt", ".xlsx", ".xlsm":
	case ".xls", ".et":
		return nil, fmt.Errorf("%w: %s", ErrUnsupported, xlsErr)
	default:
		return nil, fmt.Errorf("%w: %q: 只能导入 .xlsx 或 .csv 文件 (only .xlsx and .csv files can be read)", ErrUnsupported, ext)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("%w: file is %d bytes, more than %d", ErrUnsupported, st.Size(), MaxFileSize)
	}
	head := make([]byte, len(oleMagic))
	n, _ := io.ReadFull(f, head)
	if bytes.Equal(head[:n], oleMagic) {
		return nil, fmt.Errorf("%w: %s", ErrUnsupported, xlsErr)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if ext == ".xlsx" || ext == ".xlsm" {
		return readXLSX(f)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return ReadCSV(data)
}

// ReadCSV parses CSV (or tab- or semicolon-separated) text in any of the
// encodings Read accepts. rows[i] is the (i+1)th record as Excel would show
// it: blank lines are kept as empty rows.
func ReadCSV(data []byte) ([][]string, error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sniffSeparator(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = false
	var rows [][]string
	lastLine := 0 // the line the previous record ended on
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parse csv: %w", err)
		}
		// encoding/csv skips blank lines; Excel shows each as an empty
		// row, and users count rows in Excel.
		start, _ := r.FieldPos(0)
		for ; lastLine+1 < start; lastLine++ {
			rows = append(rows, nil)
		}
		lastField := len(rec) - 1
		end, _ := r.FieldPos(lastField)
		lastLine = end + strings.Count(rec[lastField], "\n")
		rows = append(rows, trimRow(rec))
	}
	return rows, nil
}

// decodeText turns the bytes of a text file into UTF-8 without a BOM.
func decodeText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		out, _, err := transform.Bytes(dec, data)
		if err != nil {
			return "", fmt.Errorf("decode utf-16: %w", err)
		}
		return string(out), nil
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
	if err != nil {
		return "", fmt.Errorf("decode gb18030: %w", err)
	}
	return string(out), nil
}

// sniffSeparator picks the separator of the first (up to) 20 non-empty
// records: for each candidate, the count of records that contain it the
// most common number of times wins; a title line above the header (with no
// separator, or Excel's trailing commas) does not disturb it. Separators
// inside quotes are not counted. Without any candidate it is a comma.
func sniffSeparator(text string) rune {
	candidates := []rune{',', '\t', ';'}
	var counts [][3]int // per record, per candidate
	var cur [3]int
	inQuote, nonEmpty := false, false
	flush := func() {
		if nonEmpty {
			counts = append(counts, cur)
		}
		cur, nonEmpty = [3]int{}, false
	}
	for _, c := range text {
		if len(counts) >= 20 {
			break
		}
		switch {
		case c == '"':
			inQuote = !inQuote
			nonEmpty = true
		case inQuote:
		case c == '\n':
			flush()
		case c == '\r':
		default:
			nonEmpty = true
			for i, s := range candidates {
				if c == s {
					cur[i]++
				}
			}
		}
	}
	flush()
	best, bestScore, bestWidth := ',', 0, 0
	for i, s := range candidates {
		freq := map[int]int{}
		for _, rec := range counts {
			if rec[i] > 0 {
				freq[rec[i]]++
			}
		}
		score, width := 0, 0
		for w, n := range freq {
			if n > score || (n == score && w > width) {
				score, width = n, w
			}
		}
		if score > bestScore || (score == bestScore && width > bestWidth) {
			best, bestScore, bestWidth = s, score, width
		}
	}
	return best
}

// trimRow drops trailing empty cells, as excelize does for XLSX rows.
func trimRow(rec []string) []string {
	n := len(rec)
	for n > 0 && rec[n-1] == "" {
		n--
	}
	if n == 0 {
		return nil
	}
	return rec[:n:n]
}

// scientific matches what Excel's General format shows for a number too
// large for 11 characters: 1.38123E+10.
var scientific = regexp.MustCompile(`^-?\d+(\.\d+)?[eE][+-]?\d+$`)

func readXLSX(r io.Reader) ([][]string, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, fmt.Errorf("open xlsx: %w", err)
	}
	defer f.Close()
	sheet := ""
	for _, name := range f.GetSheetList() {
		if visible, err := f.GetSheetVisible(name); err == nil && visible {
			sheet = name
			break
		}
	}
	if sheet == "" {
		return nil, errors.New("the workbook has no visible sheet")
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", sheet, err)
	}
	var raw [][]string // read only if needed
	for i, row := range rows {
		for j, cell := range row {
			if !scientific.MatchString(cell) {
				continue
			}
			// A number Excel would show as 1.38123E+10; text that
			// merely looks like one stays as typed.
			name, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err != nil {
				return nil, err
			}
			if typ, err := f.GetCellType(sheet, name); err != nil || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) {
				continue
			}
			if raw == nil {
				if raw, err = f.GetRows(sheet, excelize.Options{RawCellValue: true}); err != nil {
					return nil, fmt.Errorf("sheet %q: %w", sheet, err)
				}
			}
			if i < len(raw) && j < len(raw[i]) {
				row[j] = plainNumber(raw[i][j])
			}
		}
		rows[i] = trimRow(row)
	}
	return rows, nil
}

// plainNumber writes a cell's raw numeric value without an exponent:
// "13812345678" stays, "1.3812345678E10" becomes "13812345678". Anything
// that is not a number is returned unchanged.
func plainNumber(raw string) string {
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return raw
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Write writes header and rows to path, choosing the format by its
// extension: .csv is UTF-8 with a BOM (so that Excel shows Chinese
// correctly) and CRLF line ends; .xlsx has a bold, frozen header row,
// column widths fitted to the content, and every cell stored as text, so
// that codes such as 012345 keep their leading zeros. The file is written
// to a temporary name and renamed into place. Errors name the path.
func Write(path string, header []string, rows [][]string) error {
	format, err := formatOf(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := writeFile(path, format, header, rows); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func formatOf(path string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".csv":
		return FormatCSV, nil
	case ".xlsx":
		return FormatXLSX, nil
	default:
		return "", fmt.Errorf("%w: %q: 只能写出 .xlsx 或 .csv 文件 (only .xlsx and .csv files can be written)", ErrUnsupported, ext)
	}
}

func writeFile(path, format string, header []string, rows [][]string) error {
	return writeAtomic(path, func(w io.Writer) error { return WriteTo(w, format, header, rows) })
}

// writeAtomic has write fill a temporary file next to path, then renames
// it into place; on an error the temporary file is removed.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriter(tmp)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// WriteTo writes header and rows to w in format (FormatCSV or FormatXLSX,
// with or without a leading dot, any case), as Write does for a file; for
// printing to standard output. A nil header writes no header row.
func WriteTo(w io.Writer, format string, header []string, rows [][]string) error {
	switch strings.ToLower(strings.TrimPrefix(format, ".")) {
	case FormatCSV:
		return writeCSV(w, header, rows)
	case FormatXLSX:
		return writeXLSX(w, header, rows)
	default:
		return fmt.Errorf("%w: %q (want csv or xlsx)", ErrUnsupported, format)
	}
}

func writeCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := w.Write([]byte{0xEF, 0xBB, 0xBF}); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if header != nil {
		if err := cw.Write(header); err != nil {
			return err
		}
	}
	if err := cw.WriteAll(rows); err != nil { // WriteAll flushes
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// Column widths, in Excel's units (about one Latin character).
const (
	minColWidth = 6
	maxColWidth = 60
)

func writeXLSX(w io.Writer, header []string, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := fillSheet(f, "Sheet1", header, rows); err != nil {
		return err
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// fillSheet writes header and rows into the sheet of f: a bold, frozen
// header row, column widths fitted to the content, every cell text.
func fillSheet(f *excelize.File, sheet string, header []string, rows [][]string) error {
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // 49 is "@": text
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{
		NumFmt: 49,
		Font:   &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Border: []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
	})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	var widths []int
	put := func(r int, cells []string, style int) error {
		for c, v := range cells {
			name, err := excelize.CoordinatesToCellName(c+1, r)
			if err != nil {
				return err
			}
			if err := f.SetCellStr(sheet, name, v); err != nil {
				return err
			}
			if err := f.SetCellStyle(sheet, name, name, style); err != nil {
				return err
			}
			for len(widths) <= c {
				widths = append(widths, 0)
			}
			widths[c] = max(widths[c], displayWidth(v))
		}
		return nil
	}
	r := 1
	if header != nil {
		if err := put(r, header, bold); err != nil {
			return fmt.Errorf("xlsx header: %w", err)
		}
		if err := f.SetPanes(sheet, &excelize.Panes{
			Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		}); err != nil {
			return fmt.Errorf("xlsx freeze header: %w", err)
		}
		r++
	}
	for _, row := range rows {
		if err := put(r, row, text); err != nil {
			return fmt.Errorf("xlsx row %d: %w", r, err)
		}
		r++
	}
	for c, wd := range widths {
		col, err := excelize.ColumnNumberToName(c + 1)
		if err != nil {
			return err
		}
		width := float64(min(max(wd+2, minColWidth), maxColWidth))
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return fmt.Errorf("xlsx column width: %w", err)
		}
	}
	return nil
}

// displayWidth estimates how many Latin characters wide s is in Excel:
// CJK and full-width characters count two. For a multi-line cell, the
// widest line.
func displayWidth(s string) int {
	best := 0
	for line := range strings.SplitSeq(s, "\n") {
		n := 0
		for _, c := range line {
			if wide(c) {
				n += 2
			} else {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}

func wide(c rune) bool {
	return c >= 0x1100 && (c <= 0x115F || // Hangul Jamo
		(c >= 0x2E80 && c <= 0xA4CF) || // CJK radicals … Yi
		(c >= 0xAC00 && c <= 0xD7A3) || // Hangul syllables
		(c >= 0xF900 && c <= 0xFAFF) || // CJK compatibility
		(c >= 0xFE30 && c <= 0xFE4F) || // CJK compatibility forms
		(c >= 0xFF00 && c <= 0xFF60) || // full-width forms
		(c >= 0xFFE0 && c <= 0xFFE6) ||
		(c >= 0x20000 && c <= 0x3FFFD))
}
