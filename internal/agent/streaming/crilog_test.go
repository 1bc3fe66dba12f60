package streaming

import (
	"testing"
	"time"
)

func TestParseCRILine(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC)
	cases := []struct {
		name, line string
		want       logEntry
		wantErr    bool
	}{
		{name: "full stdout", line: "2024-01-02T03:04:05.123456789Z stdout F hello world\n",
			want: logEntry{time: ts, stream: "stdout", text: []byte("hello world\n")}},
		{name: "partial stderr drops newline", line: "2024-01-02T03:04:05.123456789Z stderr P abc\n",
			want: logEntry{time: ts, stream: "stderr", partial: true, text: []byte("abc")}},
		{name: "tag extensions ignored", line: "2024-01-02T03:04:05.123456789Z stdout F:x:y z\n",
			want: logEntry{time: ts, stream: "stdout", text: []byte("z\n")}},
		{name: "text keeps spaces", line: "2024-01-02T03:04:05.123456789Z stdout F  a  b \n",
			want: logEntry{time: ts, stream: "stdout", text: []byte(" a  b \n")}},
		{name: "empty line", line: "2024-01-02T03:04:05.123456789Z stdout F \n",
			want: logEntry{time: ts, stream: "stdout", text: []byte("\n")}},
		{name: "empty line without space", line: "2024-01-02T03:04:05.123456789Z stdout F\n",
			want: logEntry{time: ts, stream: "stdout", text: []byte("\n")}},
		{name: "last line without newline", line: "2024-01-02T03:04:05.123456789Z stdout F end",
			want: logEntry{time: ts, stream: "stdout", text: []byte("end")}},
		{name: "offset timestamp", line: "2024-01-02T05:04:05.123456789+02:00 stdout F x\n",
			want: logEntry{time: ts, stream: "stdout", text: []byte("x\n")}},
		{name: "bad timestamp", line: "yesterday stdout F x\n", wantErr: true},
		{name: "no stream", line: "2024-01-02T03:04:05Z\n", wantErr: true},
		{name: "unknown stream", line: "2024-01-02T03:04:05Z stdin F x\n", wantErr: true},
		{name: "no tag", line: "2024-01-02T03:04:05Z stdout", wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseCRILine([]byte(c.line))
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, c.wantErr)
			}
			if c.wantErr {
				return
			}
			if !got.time.Equal(c.want.time) || got.stream != c.want.stream || got.partial != c.want.partial || string(got.text) != string(c.want.text) {
				t.Fatalf("got %+v (%q), want %+v (%q)", got, got.text, c.want, c.want.text)
			}
		})
	}
}
