package sheet

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Sheet is one sheet of a workbook.
type Sheet struct {
	Name   string
	Header []string
	Rows   [][]string
}

// WriteBook writes several sheets to path: an .xlsx with one sheet each
// (formatted as Write does), or a .csv with the sheets one after another,
// each introduced by a row holding its name and followed by an empty row.
// The file is written to a temporary name and renamed into place.
func WriteBook(path string, sheets []Sheet) error {
	format, err := formatOf(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if len(sheets) == 0 {
		return fmt.Errorf("write %s: no sheets", path)
	}
	err = writeAtomic(path, func(w io.Writer) error {
		if format == FormatCSV {
			return writeCSVBook(w, sheets)
		}
		return writeXLSXBook(w, sheets)
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func writeCSVBook(w io.Writer, sheets []Sheet) error {
	if _, err := w.Write([]byte{0xEF, 0xBB, 0xBF}); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	for i, s := range sheets {
		if i > 0 {
			if err := cw.Write([]string{""}); err != nil {
				return err
			}
		}
		if err := cw.Write([]string{s.Name}); err != nil {
			return err
		}
		if s.Header != nil {
			if err := cw.Write(s.Header); err != nil {
				return err
			}
		}
		for _, r := range s.Rows {
			if err := cw.Write(r); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeXLSXBook(w io.Writer, sheets []Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		name := s.Name
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return fmt.Errorf("xlsx sheet name: %w", err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("xlsx sheet: %w", err)
		}
		if err := fillSheet(f, name, s.Header, s.Rows); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}
