package atlastest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/apierror"
)

// The service stays bounded under hostile use by an authenticated caller:
// what it answers and what it remembers. Requests go to the handler
// directly (no network: these are about sizes, not time).

// bdServe sends one request to svc and returns the recorder.
func bdServe(svc *atlastest.Service, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Accept", atlastest.MediaTypeV2)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	svc.ServeHTTP(rec, req)
	return rec
}

// TestRefusalsListAtMostMaxFields: a 52 KB body with 13,000 bad
// entries is answered with a 400 listing apierror.MaxFields of them
// and saying how many more there were; not with megabytes.
func TestRefusalsListAtMostMaxFields(t *testing.T) {
	const bad = 13000
	body := `{"accessListIps":[` + strings.TrimSuffix(strings.Repeat(`"x",`, bad), ",") + `]}`
	svc, err := atlastest.New(atlastest.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	rec := bdServe(svc, http.MethodPost, hsPathA, body)
	var e struct {
		Detail           string
		BadRequestDetail struct{ Fields []struct{ Field string } }
	}
	if rec.Code != http.StatusBadRequest || json.Unmarshal(rec.Body.Bytes(), &e) != nil {
		t.Fatalf("%d %.200s", rec.Code, rec.Body)
	}
	if n := len(e.BadRequestDetail.Fields); n != apierror.MaxFields || e.BadRequestDetail.Fields[0].Field != "/accessListIps/0" {
		t.Errorf("%d fields listed (first %+v), want %d", n, e.BadRequestDetail.Fields[:min(n, 1)], apierror.MaxFields)
	}
	if more := fmt.Sprintf("%d more", bad-apierror.MaxFields); !strings.Contains(e.Detail, more) {
		t.Errorf("detail %q does not say %q", e.Detail, more)
	}
	if rec.Body.Len() > 16<<10 {
		t.Errorf("a %d-byte body got a %d-byte answer", len(body), rec.Body.Len())
	}
}

// TestStateStaysBoundedInMemory: 5,000 made-up organizations, each given a
// link, leave at most WithMaxResources organizations' state and buckets,
// the rest dropped; the heap grows by what the bound allows,
// a fraction of what the same flood leaves without it.
func TestStateStaysBoundedInMemory(t *testing.T) {
	const orgs, bound = 5000, 100
	grow := func(opts ...atlastest.Option) (heap uint64, svc *atlastest.Service) {
		svc, err := atlastest.New(append(opts, atlastest.WithoutAuthentication(), atlastest.WithoutContractValidation())...)
		if err != nil {
			t.Fatal(err)
		}
		before := heapInUse()
		for i := range orgs {
			path := fmt.Sprintf("%s/orgs/%024x/liveMigrations/linkTokens", atlastest.BasePathV2, 0xf100d000+i)
			if rec := bdServe(svc, http.MethodPost, path, `{"accessListIps":["192.0.2.10"]}`); rec.Code != http.StatusCreated {
				t.Fatalf("create %d: %d %s", i, rec.Code, rec.Body)
			}
		}
		after := heapInUse()
		if after < before {
			return 0, svc
		}
		return after - before, svc
	}
	bounded, svc := grow(atlastest.WithMaxResources(bound))
	if n, b, l := atlastest.OrganizationStates(svc), atlastest.RateLimitBuckets(svc), svc.LinkCount(); n != bound || b != bound || l != bound {
		t.Errorf("%d organizations' state, %d buckets, %d links; want %d each", n, b, l, bound)
	}
	unbounded, all := grow(atlastest.WithMaxResources(orgs))
	if all.LinkCount() != orgs {
		t.Fatalf("the baseline kept %d links of %d", all.LinkCount(), orgs)
	}
	t.Logf("heap growth: %d KB bounded to %d, %d KB for all %d", bounded>>10, bound, unbounded>>10, orgs)
	// The baseline shows what the measurement sees; the bound must save
	// most of it (98% of the organizations are dropped; allow for noise).
	if unbounded < 1<<20 || bounded > unbounded/4 {
		t.Errorf("heap growth %d bytes with the bound, %d without: the bound did not hold memory down", bounded, unbounded)
	}
	runtime.KeepAlive(svc)
	runtime.KeepAlive(all)
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
