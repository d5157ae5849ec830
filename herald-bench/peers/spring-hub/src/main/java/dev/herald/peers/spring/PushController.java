package dev.herald.peers.spring;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The seed's HTTP side: {@code /send} for one user, {@code /broadcast} for everyone. */
@RestController
public class PushController {
    private final HubHandler hub;

    public PushController(HubHandler hub) {
        this.hub = hub;
    }

    @GetMapping("/send")
    public ResponseEntity<Void> send(@RequestParam String uid, @RequestParam(defaultValue = "") String message) {
        return hub.send(uid, message) ? ResponseEntity.ok().build() : ResponseEntity.notFound().build();
    }

    @GetMapping("/broadcast")
    public String broadcast(@RequestParam(defaultValue = "") String message) {
        return String.valueOf(hub.broadcast(message));
    }
}
