// Command secretscan fails when any secret the suite's traffic carried appears
// in what the suite printed. It is CI's last line of defence for the promise
// that private keys, digest responses and link-tokens never reach errors, logs
// or output.
//
//	LINKTOKEN_SECRET_LOG=secrets.txt go test -count=1 -v ./... > out.txt
//	go run ./internal/cmd/secretscan -secrets secrets.txt out.txt
//
// The secrets file is written by internal/secretlog (the in-memory Atlas
// records every secret it issues or sees). Besides those, any digest
// `response="…"` value or `Bearer` credential in the output is a finding.
// Findings name the file, the line and the kind of secret, never the secret.
//
// Exit codes: 0 clean, 1 a secret was found, 2 unusable input (including an
// empty secrets file: a scan that knows no secret proves nothing).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/seed-5c49e0d7/linktoken/internal/plural"
	"github.com/seed-5c49e0d7/linktoken/internal/secretlog"
)

func main() {
	secretsPath := flag.String("secrets", "", "file of secrets, one a line (written through $"+secretlog.EnvVar+")")
	flag.Parse()
	if *secretsPath == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: secretscan -secrets FILE OUTPUT...")
		os.Exit(2)
	}
	os.Exit(run(*secretsPath, flag.Args(), os.Stdout, os.Stderr))
}

func run(secretsPath string, outputs []string, stdout, stderr io.Writer) int {
	idx, err := loadSecrets(secretsPath)
	if err != nil {
		fmt.Fprintf(stderr, "secretscan: %v\n", err)
		return 2
	}
	findings, scanned := 0, int64(0)
	for _, path := range outputs {
		n, size, err := scanFile(path, idx, stdout)
		if err != nil {
			fmt.Fprintf(stderr, "secretscan: %v\n", err)
			return 2
		}
		findings += n
		scanned += size
	}
	fmt.Fprintf(stdout, "secretscan: %s checked against %s of output in %s: %s\n",
		plural.Count(idx.count, "secret"), plural.Count(scanned, "byte"), plural.Count(len(outputs), "file"), plural.Count(findings, "finding"))
	if findings > 0 {
		return 1
	}
	return 0
}

// prefixLen is the length of the index key; every secret is at least
// secretlog.MinLength long.
const prefixLen = secretlog.MinLength

// index finds any of many secrets in a line in one pass: a map from each
// secret's first prefixLen bytes to the secrets starting with them.
type index struct {
	byPrefix map[string][]string
	count    int
}

func loadSecrets(path string) (*index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	idx := &index{byPrefix: map[string][]string{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		s := sc.Text()
		if len(s) < prefixLen {
			continue
		}
		idx.byPrefix[s[:prefixLen]] = append(idx.byPrefix[s[:prefixLen]], s)
		idx.count++
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if idx.count == 0 {
		return nil, fmt.Errorf("%s: no secrets recorded; was $%s set for the run?", path, secretlog.EnvVar)
	}
	return idx, nil
}

// find reports the length of a secret found in line, or 0.
func (idx *index) find(line string) int {
	for i := 0; i+prefixLen <= len(line); i++ {
		for _, s := range idx.byPrefix[line[i:i+prefixLen]] {
			if len(line)-i >= len(s) && line[i:i+len(s)] == s {
				return len(s)
			}
		}
	}
	return 0
}

var (
	digestResponse = regexp.MustCompile(`(?i)\bresponse="?[0-9a-f]{32,}`)
	bearerToken    = regexp.MustCompile(`(?i)\bBearer [A-Za-z0-9._~+/=-]{16,}`)
)

func scanFile(path string, idx *index, out io.Writer) (findings int, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	for lineNo := 1; ; lineNo++ {
		line, readErr := r.ReadString('\n')
		size += int64(len(line))
		if n := idx.find(line); n > 0 {
			fmt.Fprintf(out, "%s:%d: a recorded secret (%d characters) appears\n", path, lineNo, n)
			findings++
		} else if digestResponse.MatchString(line) {
			fmt.Fprintf(out, "%s:%d: a digest response value appears\n", path, lineNo)
			findings++
		} else if bearerToken.MatchString(line) {
			fmt.Fprintf(out, "%s:%d: a bearer credential appears\n", path, lineNo)
			findings++
		}
		if readErr == io.EOF {
			return findings, size, nil
		}
		if readErr != nil {
			return findings, size, fmt.Errorf("%s: %w", path, readErr)
		}
	}
}
