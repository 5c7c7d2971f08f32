package sheet

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"

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
func WriteBook(path string, sheets []Sheet) (err error) {
	format, err := formatOf(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if len(sheets) == 0 {
		return fmt.Errorf("write %s: no sheets", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	bw := bufio.NewWriter(tmp)
	if format == FormatCSV {
		err = writeCSVBook(bw, sheets)
	} else {
		err = writeXLSXBook(bw, sheets)
	}
	if err != nil {
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
