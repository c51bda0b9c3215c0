package faults

import (
	"bytes"
	"mime/multipart"
)

// multipartWriter writes a documents upload form (file and title) to b and
// returns its content type.
func multipartWriter(b *bytes.Buffer, content []byte, name string) string {
	w := multipart.NewWriter(b)
	f, _ := w.CreateFormFile("file", name)
	_, _ = f.Write(content)
	_ = w.WriteField("title", "Lægeerklæring")
	_ = w.Close()
	return w.FormDataContentType()
}
