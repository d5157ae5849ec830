package dev.herald.peers.spring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.TextWebSocketHandler;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The hub: uid → open sessions, each wrapped for thread-safe sends with a bounded buffer. */
public class HubHandler extends TextWebSocketHandler {
    /** A slow client may hold this much unsent text, for this long, before its session is closed. */
    private static final int SEND_TIME_LIMIT_MS = 10_000;
    private static final int BUFFER_SIZE_LIMIT = 512 * 1024;
    private static final String UID = "uid";
    private static final String SAFE = "safe";

    private final ObjectMapper json = new ObjectMapper();
    private final ConcurrentHashMap<String, Set<WebSocketSession>> users = new ConcurrentHashMap<>();

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        session.getAttributes().put(SAFE,
                new ConcurrentWebSocketSessionDecorator(session, SEND_TIME_LIMIT_MS, BUFFER_SIZE_LIMIT));
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
        JsonNode uid = json.readTree(message.getPayload()).get(UID);
        if (uid == null || session.getAttributes().containsKey(UID)) {
            return;
        }
        String id = uid.asText();
        session.getAttributes().put(UID, id);
        users.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(safe(session));
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Object id = session.getAttributes().get(UID);
        if (id != null) {
            users.computeIfPresent((String) id, (k, set) -> {
                set.remove(safe(session));
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** Sends to every session of the user; false if none is connected. */
    public boolean send(String uid, String message) {
        Set<WebSocketSession> sessions = users.get(uid);
        if (sessions == null || sessions.isEmpty()) {
            return false;
        }
        TextMessage frame = new TextMessage(message);
        for (WebSocketSession s : sessions) {
            trySend(s, frame);
        }
        return true;
    }

    /** Sends one frame to every connected session; returns how many there were. */
    public int broadcast(String message) {
        TextMessage frame = new TextMessage(message);
        int n = 0;
        for (Set<WebSocketSession> sessions : users.values()) {
            for (WebSocketSession s : sessions) {
                trySend(s, frame);
                n++;
            }
        }
        return n;
    }

    private static void trySend(WebSocketSession s, TextMessage frame) {
        try {
            s.sendMessage(frame);
        } catch (IOException | RuntimeException e) {
            // a closed or overflowing session: the decorator closes it, afterConnectionClosed unregisters it
        }
    }

    private static WebSocketSession safe(WebSocketSession session) {
        return (WebSocketSession) session.getAttributes().get(SAFE);
    }
}
