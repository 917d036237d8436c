package dbmanage

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func optInt(v *int64) string {
	if v == nil {
		return "None"
	}
	return fmt.Sprint(*v)
}

// WriteTasks prints tasks as a table: id, type, data type, resource id, tenant, created at.
func WriteTasks(w io.Writer, tasks []Task) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tDATA TYPE\tRESOURCE ID\tTENANT\tCREATED AT")
	for _, t := range tasks {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Type, orDash(t.DataType), orDash(t.ResourceID), orDash(t.TenantID), t.CreatedAt)
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteTaskResources prints each group under "<DATA_TYPE>S:" and each resource as indented
// JSON with sorted keys.
func WriteTaskResources(w io.Writer, groups []ResourceGroup) error {
	for _, g := range groups {
		if _, err := fmt.Fprintf(w, "%sS:\n", g.DataType); err != nil {
			return err
		}
		for _, r := range g.Resources {
			if _, err := fmt.Fprintln(w, prettyJSON(r.Data)); err != nil {
				return err
			}
		}
	}
	return nil
}

// WriteState prints data-show.
func WriteState(w io.Writer, s State) error {
	updated := s.LastUpdated
	if updated == "" {
		updated = "None"
	}
	_, err := fmt.Fprintf(w, "Last processed task id: %s\nLast updated:           %s\nActive version:         %s\nReadonly:               %s\n",
		optInt(s.LastProcessedID), updated, optInt(s.ActiveVersion), pyBool(s.ReadOnly))
	return err
}

// WriteVersions prints data-version-list.
func WriteVersions(w io.Writer, vs []Version) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSYNC STARTED AT\tSYNC FINISHED AT\tSYNC STATUS\tSYNC TASKS STATUS\tSTALE")
	for _, v := range vs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", v.ID, orNone(v.SyncStartedAt), orNone(v.SyncFinishedAt),
			orNone(v.SyncStatus), orNone(v.SyncTasksStatus), pyBool(v.Stale))
	}
	return tw.Flush()
}

// Bar is a one-line text progress bar, redrawn in place with a carriage return.
type Bar struct {
	w     io.Writer
	width int
	drawn bool
}

// NewBar returns a bar drawing on w (a terminal).
func NewBar(w io.Writer) *Bar { return &Bar{w: w, width: 40} }

// Update redraws the bar; it fits SyncOptions.Progress.
func (b *Bar) Update(done, total int) {
	frac := 1.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	frac = min(max(frac, 0), 1)
	fill := int(frac * float64(b.width))
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d %3d%%", strings.Repeat("#", fill), strings.Repeat(".", b.width-fill), done, total, int(frac*100))
	b.drawn = true
}

// Done ends the bar's line, if it drew anything.
func (b *Bar) Done() {
	if b.drawn {
		fmt.Fprintln(b.w)
		b.drawn = false
	}
}
