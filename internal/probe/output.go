package probe

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// ExitDiffers is the exit status of a run in which a row differs.
const ExitDiffers = 3

// ExitCode is 0 when no row differs, ExitDiffers otherwise.
func ExitCode(rows []Row) int {
	for _, r := range rows {
		if r.Result == Differs {
			return ExitDiffers
		}
	}
	return 0
}

// WriteText writes the rows as a table (ID, RESULT, ASSUMPTION, SEEN) and
// a count of each result.
func WriteText(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRESULT\tASSUMPTION\tSEEN")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Result, r.Assumption, r.Seen)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	counts := map[Result]int{}
	for _, r := range rows {
		counts[r.Result]++
	}
	_, err := fmt.Fprintf(w, "\n%d rows: %d hold, %d differ, %d could not tell, %d not checked (they need a write or a fault).\n",
		len(rows), counts[Holds], counts[Differs], counts[CouldNotTell], counts[NotChecked])
	return err
}

// WriteJSON writes the rows as one JSON array.
func WriteJSON(w io.Writer, rows []Row) error {
	if rows == nil {
		rows = []Row{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rows)
}
