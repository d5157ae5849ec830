// Bench adapter, not in the seed: GET /broadcast?message= pushes one message to every
// logged-in client through the seed's own per-client send channels (blocking when a
// channel is full, like the seed's /send), and answers 200 with the number of clients.
// The only change to the seed's main.go is the line that mounts it.
package main

import (
	"net/http"
	"strconv"
)

func broadcast(hub *Hub, w http.ResponseWriter, r *http.Request) {
	message := []byte(r.FormValue("message"))
	hub.Lock()
	clients := make([]*Client, 0, len(hub.userClients))
	for _, c := range hub.userClients {
		clients = append(clients, c)
	}
	hub.Unlock()
	for _, c := range clients {
		c.send <- message
	}
	w.Write([]byte(strconv.Itoa(len(clients))))
}
