package dev.herald.peers.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/**
 * Peer for bench/PEERS.md: the seed protocol on Spring Boot, written as a Spring shop would write it.
 * <ul>
 *   <li>WebSocket {@code /ws}: the first text frame {@code {"uid":"123"}} binds the connection to the user;
 *       later pushes arrive as raw text bodies.</li>
 *   <li>{@code GET /send?uid=&message=}: 200 if a connection took it, 404 if the user is not connected.</li>
 *   <li>{@code GET /broadcast?message=}: 200 with the number of connections (bench adapter).</li>
 * </ul>
 * Fire-and-forget like the seed: nothing is stored, nothing is retried.
 */
@SpringBootApplication
@EnableWebSocket
public class SpringHub implements WebSocketConfigurer {

    public static void main(String[] args) {
        SpringApplication.run(SpringHub.class, args);
    }

    @Bean
    HubHandler hubHandler() {
        return new HubHandler();
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(hubHandler(), "/ws").setAllowedOrigins("*");
    }
}
