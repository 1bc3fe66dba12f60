package streaming

import "io"

// tailStart returns the offset in r (of the given size) where the last n
// complete lines begin; an unterminated last line is not counted. It reads
// backwards in blocks, so a long log costs only what is shown.
func tailStart(r io.ReaderAt, size, n int64) (int64, error) {
	if n < 0 {
		return 0, nil
	}
	const block = 32 << 10
	buf := make([]byte, block)
	// The newline ending the last complete line does not start a line; the
	// (n+1)-th newline from the end does.
	want := n + 1
	end := size
	for end > 0 {
		start := max(end-block, 0)
		chunk := buf[:end-start]
		if _, err := r.ReadAt(chunk, start); err != nil && err != io.EOF {
			return 0, err
		}
		for i := len(chunk) - 1; i >= 0; i-- {
			if chunk[i] != '\n' {
				continue
			}
			want--
			if want == 0 {
				return start + int64(i) + 1, nil
			}
		}
		end = start
	}
	return 0, nil
}
