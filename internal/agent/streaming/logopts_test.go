package streaming

import (
	"errors"
	"net/url"
	"testing"
	"time"
)

func TestParseLogOptions(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		query      string
		want       LogOptions
		wantStatus int // 0: no error
	}{
		{query: "", want: LogOptions{TailLines: -1}},
		{query: "follow=true&previous=1&timestamps=", want: LogOptions{Follow: true, Previous: true, Timestamps: true, TailLines: -1}},
		{query: "follow=false&previous=0&timestamps=FALSE", want: LogOptions{TailLines: -1}},
		{query: "tailLines=10", want: LogOptions{TailLines: 10}},
		{query: "tailLines=0", want: LogOptions{TailLines: 0}},
		{query: "tail=5", want: LogOptions{TailLines: 5}},
		{query: "tail=all&tailLines=3", want: LogOptions{TailLines: -1}},
		{query: "limitBytes=100", want: LogOptions{TailLines: -1, LimitBytes: 100}},
		{query: "sinceSeconds=60", want: LogOptions{TailLines: -1, Since: now.Add(-time.Minute)}},
		{query: "sinceTime=2024-05-01T11:00:00Z", want: LogOptions{TailLines: -1, Since: now.Add(-time.Hour)}},
		{query: "tailLines=x", wantStatus: 400},
		{query: "tailLines=-1", wantStatus: 422},
		{query: "limitBytes=0", wantStatus: 422},
		{query: "limitBytes=z", wantStatus: 400},
		{query: "sinceSeconds=0", wantStatus: 422},
		{query: "sinceSeconds=1&sinceTime=2024-05-01T11:00:00Z", wantStatus: 422},
		{query: "sinceTime=noon", wantStatus: 400},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			q, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := parseLogOptions(q, now)
			if c.wantStatus != 0 {
				var oe *optionsError
				if !errors.As(err, &oe) || oe.Status != c.wantStatus {
					t.Fatalf("err = %v, want status %d", err, c.wantStatus)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}
