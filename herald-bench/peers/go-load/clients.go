package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Crowd is the receiving side: N WebSocket clients, client i logged in as uid "u<i>" with the seed's login frame,
// each reading every frame into the ledger on its own goroutine.
type Crowd struct {
	conns       []*websocket.Conn
	up          []int // indexes of the clients that connected
	disconnects int64
	closing     int32
}

// connectCrowd opens n clients to ws://addr/ws, parallel at a time.
func connectCrowd(addr string, n, parallel int, ledger *Ledger) (*Crowd, error) {
	c := &Crowd{conns: make([]*websocket.Conn, n)}
	dialer := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 256}
	url := "ws://" + addr + "/ws"
	var failures int64
	var wg sync.WaitGroup
	next := int64(-1)
	for w := 0; w < parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= n {
					return
				}
				conn, _, err := dialer.Dial(url, http.Header{})
				if err == nil {
					err = conn.WriteMessage(websocket.TextMessage, []byte(fmt.Sprintf(`{"uid":"u%d"}`, i)))
				}
				if err != nil {
					if atomic.AddInt64(&failures, 1) <= 3 {
						fmt.Fprintln(os.Stderr, "connect failed:", err)
					}
					continue
				}
				c.conns[i] = conn
				go c.read(i, conn, ledger)
			}
		}()
	}
	wg.Wait()
	for i, conn := range c.conns {
		if conn != nil {
			c.up = append(c.up, i)
		}
	}
	if len(c.up) == 0 {
		return c, fmt.Errorf("no client connected to %s (%d failures)", url, failures)
	}
	return c, nil
}

func (c *Crowd) read(self int, conn *websocket.Conn, ledger *Ledger) {
	buf := make([]byte, 512)
	for {
		_, r, err := conn.NextReader()
		if err != nil {
			if atomic.LoadInt32(&c.closing) == 0 {
				atomic.AddInt64(&c.disconnects, 1)
			}
			return
		}
		n := 0
		for {
			if n == len(buf) {
				buf = append(buf, make([]byte, len(buf))...)
			}
			m, err := r.Read(buf[n:])
			n += m
			if err == io.EOF {
				break
			}
			if err != nil {
				if atomic.LoadInt32(&c.closing) == 0 {
					atomic.AddInt64(&c.disconnects, 1)
				}
				return
			}
		}
		ledger.Receipt(self, buf[:n], now())
	}
}

// Disconnects is how many clients lost their connection before Close.
func (c *Crowd) Disconnects() int64 {
	return atomic.LoadInt64(&c.disconnects)
}

// Close closes every client.
func (c *Crowd) Close() {
	atomic.StoreInt32(&c.closing, 1)
	for _, conn := range c.conns {
		if conn != nil {
			_ = conn.Close()
		}
	}
}
