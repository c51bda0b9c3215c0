package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"nemrefusion.dk/infra/runtime"
)

const defaultPublicURL = "http://localhost:8080"

func init() {
	register("rates", "list, add and publish the maximum sygedagpenge rates (nrctl rates help)", runRates)
}

func ratesUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: nrctl rates list")
	fmt.Fprintln(w, "       nrctl rates add --year YEAR --weekly KRONER (--provisional [--source TEXT] | --published --source URL) [--effective-from YYYY-MM-DD]")
	fmt.Fprintln(w, "       nrctl rates publish ID --source URL [--weekly KRONER]")
	fmt.Fprintln(w, "  list     every version of every maximum rate (sygedagpengeloven § 50, stk. 1); * marks the one in use")
	fmt.Fprintln(w, "  add      register a year's rate (hourly = weekly / 37; it takes effect on the first Monday of January unless")
	fmt.Fprintln(w, "           --effective-from says otherwise); absences that waited for it are recomputed and fed back")
	fmt.Fprintln(w, "  publish  publish provisional rate ID with its source (and final weekly amount); absences are recomputed again")
	fmt.Fprintln(w, "environment: NR_URL (default "+defaultPublicURL+"), NR_TOKEN (an administrator's token; default: the")
	fmt.Fprintln(w, "             development issuer's admin persona at OIDC_ISSUER)")
}

func runRates(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		ratesUsage(e.stdout)
		if len(args) == 0 {
			return usageErr("rates: a subcommand is required")
		}
		return nil
	}
	switch args[0] {
	case "list":
		if len(args) > 1 {
			return usageErr("rates list takes no arguments")
		}
		var out struct {
			Rates []rateRow `json:"rates"`
		}
		if err := ratesCall(ctx, e, http.MethodGet, "", nil, &out); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "id\tyear\tversion\teffective\tweekly\thourly\tstatus\tsource")
		for _, r := range out.Rates {
			r.print(e.stdout)
		}
		return nil
	case "add":
		fs := flag.NewFlagSet("rates add", flag.ContinueOnError)
		fs.SetOutput(e.stderr)
		year := fs.Int("year", 0, "the rate's year")
		weekly := fs.String("weekly", "", "kroner per week, e.g. 4945 or 4945.50")
		source := fs.String("source", "", "where the rate is published (required with --published)")
		eff := fs.String("effective-from", "", "the day it takes effect (default: the first Monday of January)")
		published := fs.Bool("published", false, "the rate is published (final)")
		provisional := fs.Bool("provisional", false, "the rate is provisional (results using it say so)")
		if err := fs.Parse(splitFlags(args[1:], "year", "weekly", "source", "effective-from")); err != nil {
			return usageErr("rates add: %v", err)
		}
		if *year == 0 || *weekly == "" || *published == *provisional || fs.NArg() > 0 {
			return usageErr("rates add: give --year, --weekly and exactly one of --published or --provisional")
		}
		w, err := kroner(*weekly)
		if err != nil {
			return usageErr("rates add: --weekly %q is not an amount of kroner", *weekly)
		}
		body := map[string]any{"year": *year, "weekly": w, "source": *source, "status": "provisional"}
		if *published {
			body["status"] = "published"
		}
		if *eff != "" {
			body["effectiveFrom"] = *eff
		}
		return rateChange(ctx, e, "", body)
	case "publish":
		fs := flag.NewFlagSet("rates publish", flag.ContinueOnError)
		fs.SetOutput(e.stderr)
		source := fs.String("source", "", "where the rate is published")
		weekly := fs.String("weekly", "", "the final kroner per week, when it differs from the provisional amount")
		if err := fs.Parse(splitFlags(args[1:], "source", "weekly")); err != nil {
			return usageErr("rates publish: %v", err)
		}
		if fs.NArg() != 1 || *source == "" {
			return usageErr("rates publish: give the rate's id and --source")
		}
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil || id <= 0 {
			return usageErr("rates publish: %q is not a rate id", fs.Arg(0))
		}
		body := map[string]any{"source": *source}
		if *weekly != "" {
			w, err := kroner(*weekly)
			if err != nil {
				return usageErr("rates publish: --weekly %q is not an amount of kroner", *weekly)
			}
			body["weekly"] = w
		}
		return rateChange(ctx, e, fmt.Sprintf("/%d/publish", id), body)
	}
	return usageErr("rates: unknown subcommand %q", args[0])
}

// kroner reads an amount of kroner with at most two decimals as a JSON
// number, exactly as written.
func kroner(s string) (json.Number, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 {
		return "", fmt.Errorf("not a positive amount")
	}
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 > 2 {
		return "", fmt.Errorf("more than two decimals")
	}
	return json.Number(s), nil
}

// rateRow is a row of GET /api/v1/admin/rates.
type rateRow struct {
	ID            int64       `json:"id"`
	Year          int         `json:"year"`
	Version       int         `json:"version"`
	EffectiveFrom string      `json:"effectiveFrom"`
	Weekly        json.Number `json:"weekly"`
	Hourly        json.Number `json:"hourly"`
	Source        string      `json:"source"`
	Status        string      `json:"status"`
	Current       bool        `json:"current"`
}

func (r rateRow) print(w io.Writer) {
	mark := " "
	if r.Current {
		mark = "*"
	}
	fmt.Fprintf(w, "%d%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n", r.ID, mark, r.Year, r.Version, r.EffectiveFrom, r.Weekly, r.Hourly, r.Status, r.Source)
}

func rateChange(ctx context.Context, e *env, path string, body any) error {
	var out struct {
		Rate       rateRow `json:"rate"`
		Recomputed int     `json:"recomputed"`
	}
	if err := ratesCall(ctx, e, http.MethodPost, path, body, &out); err != nil {
		return err
	}
	out.Rate.print(e.stdout)
	fmt.Fprintf(e.stdout, "%d absences recomputed and fed back\n", out.Recomputed)
	return nil
}

// ratesCall calls the rate administration with an administrator's token
// and decodes a 2xx answer into out. A refusal is printed with its reasons
// (exit 1); an API that cannot be reached is exit 3.
func ratesCall(ctx context.Context, e *env, method, path string, body, out any) error {
	token := e.getenv("NR_TOKEN")
	if token == "" {
		var buf, errb bytes.Buffer
		if err := runToken(ctx, &env{stdout: &buf, stderr: &errb, getenv: e.getenv}, []string{"--persona", "admin"}); err != nil {
			return &exitError{code: 3, err: fmt.Errorf("rates: no NR_TOKEN, and no development token: %w %s", err, errb.String())}
		}
		token = strings.TrimSpace(buf.String())
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(e.get("NR_URL", defaultPublicURL), "/")+"/api/v1/admin/rates"+path, rd)
	if err != nil {
		return usageErr("rates: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpClient.Do(req)
	if err != nil {
		return &exitError{code: 3, err: fmt.Errorf("rates: %w", err)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return &exitError{code: 3, err: fmt.Errorf("rates: %w", err)}
	}
	if resp.StatusCode/100 != 2 {
		return &exitError{code: 1, err: fmt.Errorf("refused (%d): %s", resp.StatusCode, problemText(b))}
	}
	if err := json.Unmarshal(b, out); err != nil {
		return &exitError{code: 3, err: fmt.Errorf("rates: the answer is not what the rate API answers: %w", err)}
	}
	return nil
}

// problemText is a refusal's English text and every field error, or the
// body as it is.
func problemText(b []byte) string {
	var p runtime.Problem
	if json.Unmarshal(b, &p) != nil || p.En == "" && len(p.Errors) == 0 {
		return strings.TrimSpace(string(b))
	}
	parts := []string{}
	if p.En != "" {
		parts = append(parts, p.En)
	}
	for _, fe := range p.Errors {
		parts = append(parts, fe.Field+": "+fe.En)
	}
	return strings.Join(parts, "; ")
}
