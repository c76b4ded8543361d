package sip

import "testing"

// FuzzSDPDirection feeds arbitrary SDP bodies (a re-INVITE's, from the far
// end) to sdpDirection: it answers one of the four directions or "", and
// never panics.
func FuzzSDPDirection(f *testing.F) {
	f.Add([]byte("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n"))
	f.Add([]byte("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"))
	f.Add([]byte("v=0\r\nm=video 1 RTP/AVP 96\r\na=inactive\r\n"))
	f.Add([]byte("c=IN\r\nm=audio\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		switch d := sdpDirection(body); d {
		case "", "sendrecv", "sendonly", "recvonly", "inactive":
		default:
			t.Fatalf("sdpDirection = %q", d)
		}
	})
}
