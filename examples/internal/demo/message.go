package demo

// Message is the body of a short answer, such as an error, shaped like
// httpx's error bodies: {"msg": "…"}.
type Message struct {
	Msg string `json:"msg"`
}
