package dev.herald.core.connection;

import dev.herald.core.auth.Authenticator;
import dev.herald.core.auth.DevAuthenticator;
import dev.herald.core.auth.Principal;
import dev.herald.core.delivery.RecipientStore;
import dev.herald.core.delivery.ReceiptListener;
import dev.herald.core.hub.Hub;
import dev.herald.core.protocol.ClientFrameParser;
import dev.herald.core.protocol.ProtocolLimits;
import dev.herald.core.store.MemoryMessageStore;
import dev.herald.core.store.StoreLimits;
import org.junit.jupiter.api.AfterEach;
import dev.herald.core.hub.HubStats;
import dev.herald.core.message.Message;
import dev.herald.core.message.Target;
import dev.herald.core.session.CloseReason;
import dev.herald.core.session.Session;
import dev.herald.core.testing.FakeSession;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClientConnectionTest {
    private static final ProtocolLimits LIMITS = new ProtocolLimits(3, 10, Duration.ofSeconds(25), Duration.ofSeconds(10));

    private final HubStats stats = new HubStats();
    private final Hub hub = new Hub(16, stats);
    private final FakeSession session = new FakeSession("c1");
    private final MemoryMessageStore store = new MemoryMessageStore(StoreLimits.defaults());
    private final RecipientStore recipientStore = new RecipientStore(store, Clock.systemUTC(), stats, ReceiptListener.NONE, 10_000);

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** Token auth: "good-<uid>" is accepted with grants on "public.*", "nope" is refused, bare uids are forbidden. */
    private static final class TokenAuthenticator implements Authenticator {
        @Override
        public Principal authenticate(String token) throws AuthenticationException {
            if (token.startsWith("good-")) {
                return new Principal(token.substring(5), List.of("public.*", "exact"));
            }
            throw new AuthenticationException("bad token", false);
        }

        @Override
        public Principal authenticateUid(String uid) throws AuthenticationException {
            throw new AuthenticationException("uids are not accepted", true);
        }

        @Override
        public boolean devMode() {
            return false;
        }
    }

    private ClientConnection connection(Authenticator authenticator) {
        return new ClientConnection(session, hub, authenticator, new ClientFrameParser(), LIMITS, "node-1", recipientStore);
    }

    private ClientConnection dev() {
        return connection(new DevAuthenticator());
    }

    /** A dev-mode Herald connection already past its welcome frame and its login replay's positions frame. */
    private ClientConnection authenticated() {
        ClientConnection c = dev();
        c.start(null, null, null);
        c.onText("{\"type\":\"auth\",\"uid\":\"alice\"}");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> session.frames().size() == 2);
        assertThat(session.frames().get(0)).contains("\"type\":\"welcome\"");
        assertThat(session.lastFrame()).isEqualTo("{\"type\":\"positions\",\"inbox\":\"0\",\"all\":\"0\"}");
        return c;
    }

    @Test
    void seed_login_binds_the_seed_protocol_and_sends_no_welcome() {
        ClientConnection c = dev();
        c.start(null, null, null);

        c.onText("{\"uid\": \"123\"}");

        assertThat(session.userId()).isEqualTo("123");
        assertThat(session.protocol()).isEqualTo(Session.Protocol.SEED);
        assertThat(session.frames()).isEmpty();
        assertThat(hub.sessions("123")).containsExactly(session);
        assertThat(c.awaitingAuthSince()).isNull();
    }

    @Test
    void an_unauthenticated_connection_reports_since_when_it_waits() {
        ClientConnection c = dev();
        c.start(null, null, null);

        assertThat(c.awaitingAuthSince()).isEqualTo(session.connectedAt());
    }

    @Test
    void auth_frame_with_a_uid_in_dev_mode_gets_a_welcome_frame() {
        ClientConnection c = dev();
        c.start(null, null, null);

        c.onText("{\"type\":\"auth\",\"uid\":\"alice\"}");

        assertThat(session.protocol()).isEqualTo(Session.Protocol.HERALD);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> session.frames().size() == 2);
        assertThat(session.frames()).containsExactly(
                "{\"type\":\"welcome\",\"connection\":\"c1\",\"user\":\"alice\",\"heartbeat\":25000,\"node\":\"node-1\"}",
                "{\"type\":\"positions\",\"inbox\":\"0\",\"all\":\"0\"}");
        assertThat(hub.sessions("alice")).containsExactly(session);
    }

    @Test
    void uid_in_the_query_logs_in_at_start_with_a_welcome() {
        dev().start(null, "bob", null);

        assertThat(session.userId()).isEqualTo("bob");
        assertThat(session.frames().get(0)).contains("\"type\":\"welcome\"").contains("\"user\":\"bob\"");
    }

    @Test
    void a_valid_token_logs_in_and_an_invalid_one_closes_with_unauthorized() {
        connection(new TokenAuthenticator()).start("good-carol", null, null);
        assertThat(session.userId()).isEqualTo("carol");
        assertThat(session.frames().get(0)).contains("\"type\":\"welcome\"");

        FakeSession other = new FakeSession();
        new ClientConnection(other, hub, new TokenAuthenticator(), new ClientFrameParser(), LIMITS, "n", recipientStore).onText(
                "{\"type\":\"auth\",\"token\":\"nope\"}");
        assertThat(other.closeReason()).isEqualTo(CloseReason.UNAUTHORIZED);
        assertThat(hub.connectionCount()).isEqualTo(1);
    }

    @Test
    void a_malformed_first_frame_closes_with_protocol_error() {
        dev().onText("{not json");

        assertThat(session.closeReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
        assertThat(session.frames()).isEmpty();
        assertThat(hub.connectionCount()).isZero();
    }

    @Test
    void a_first_frame_that_is_not_a_login_closes_with_unauthorized() {
        dev().onText("{\"type\":\"subscribe\",\"topics\":[\"news\"]}");

        assertThat(session.closeReason()).isEqualTo(CloseReason.UNAUTHORIZED);
        assertThat(hub.connectionCount()).isZero();
        assertThat(hub.topicCount()).isZero();
    }

    @Test
    void an_invalid_user_id_closes_with_unauthorized() {
        dev().onText("{\"uid\":\"\"}");

        assertThat(session.closeReason()).isEqualTo(CloseReason.UNAUTHORIZED);
    }

    @Test
    void seed_login_when_authentication_is_configured_closes_with_forbidden() {
        connection(new TokenAuthenticator()).onText("{\"uid\":\"123\"}");

        assertThat(session.closeReason()).isEqualTo(CloseReason.FORBIDDEN);
        assertThat(hub.connectionCount()).isZero();
    }

    @Test
    void ping_gets_a_pong_with_the_ref_echoed() {
        ClientConnection c = authenticated();

        c.onText("{\"type\":\"ping\",\"ref\":\"r-42\"}");

        assertThat(session.lastFrame()).isEqualTo("{\"type\":\"pong\",\"ref\":\"r-42\"}");
    }

    @Test
    void an_unknown_type_gets_an_unknown_type_error_and_the_connection_stays_open() {
        ClientConnection c = authenticated();

        c.onText("{\"type\":\"dance\",\"ref\":\"7\"}");

        assertThat(session.lastFrame()).contains("\"type\":\"error\"").contains("\"code\":\"unknown_type\"").contains("\"ref\":\"7\"");
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    void invalid_json_after_login_gets_an_invalid_json_error_and_the_connection_stays_usable() {
        ClientConnection c = authenticated();

        c.onText("{\"type\":");
        assertThat(session.lastFrame()).contains("\"code\":\"invalid_json\"");
        assertThat(session.isClosed()).isFalse();

        c.onText("{\"type\":\"ping\"}");
        assertThat(session.lastFrame()).isEqualTo("{\"type\":\"pong\"}");
    }

    @Test
    void a_second_auth_frame_is_an_error_not_a_relogin() {
        ClientConnection c = authenticated();

        c.onText("{\"type\":\"auth\",\"uid\":\"mallory\"}");

        assertThat(session.lastFrame()).contains("\"code\":\"already_authenticated\"");
        assertThat(session.userId()).isEqualTo("alice");
    }

    @Test
    void more_bad_frames_than_the_limit_close_with_protocol_error() {
        ClientConnection c = authenticated();
        for (int i = 0; i < LIMITS.maxBadFrames(); i++) {
            c.onText("garbage");
        }
        assertThat(session.isClosed()).isFalse();
        assertThat(session.frames()).hasSize(2 + LIMITS.maxBadFrames()); // welcome, positions + one error each

        c.onText("garbage");

        assertThat(session.closeReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
        assertThat(hub.connectionCount()).isZero();
    }

    @Test
    void subscribe_and_unsubscribe_reply_and_update_the_hub() {
        ClientConnection c = authenticated();

        c.onText("{\"type\":\"subscribe\",\"topics\":[\"news\",\"sports\"],\"ref\":\"s1\"}");
        assertThat(session.frames().get(2)).isEqualTo("{\"type\":\"subscribed\",\"topics\":[\"news\",\"sports\"],\"ref\":\"s1\"}");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> session.frames().size() == 4);
        assertThat(session.lastFrame()).isEqualTo("{\"type\":\"positions\",\"topics\":{\"news\":\"0\",\"sports\":\"0\"},\"ref\":\"s1\"}");
        assertThat(session.topicsView()).containsExactlyInAnyOrder("news", "sports");
        assertThat(hub.topicCount()).isEqualTo(2);

        c.onText("{\"type\":\"unsubscribe\",\"topic\":\"news\"}");
        assertThat(session.lastFrame()).isEqualTo("{\"type\":\"unsubscribed\",\"topics\":[\"news\"]}");
        assertThat(session.topicsView()).containsExactly("sports");
        assertThat(hub.topicCount()).isEqualTo(1);
    }

    @Test
    void subscribing_to_a_topic_outside_the_grants_is_forbidden_topic() {
        ClientConnection c = connection(new TokenAuthenticator());
        c.start("good-dave", null, null);

        c.onText("{\"type\":\"subscribe\",\"topics\":[\"public.news\",\"secret\"]}");

        assertThat(session.lastFrame()).contains("\"code\":\"forbidden_topic\"");
        assertThat(session.topicsView()).isEmpty(); // all or nothing
        assertThat(hub.topicCount()).isZero();

        c.onText("{\"type\":\"subscribe\",\"topics\":[\"public.news\",\"exact\"]}");
        assertThat(session.topicsView()).containsExactlyInAnyOrder("public.news", "exact");
    }

    @Test
    void subscribing_beyond_the_topic_limit_is_too_many_topics() {
        ClientConnection c = authenticated();
        c.onText("{\"type\":\"subscribe\",\"topics\":[\"a\",\"b\"]}");

        c.onText("{\"type\":\"subscribe\",\"topics\":[\"a\",\"c\",\"d\"]}"); // a is not new: 2 + 2 > 3

        assertThat(session.lastFrame()).contains("\"code\":\"too_many_topics\"");
        assertThat(session.topicsView()).containsExactlyInAnyOrder("a", "b");

        c.onText("{\"type\":\"subscribe\",\"topics\":[\"a\",\"c\"]}"); // 2 + 1 = 3: allowed
        assertThat(session.topicsView()).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void an_invalid_topic_name_is_invalid_topic() {
        ClientConnection c = authenticated();

        c.onText("{\"type\":\"subscribe\",\"topics\":[\"no spaces\"]}");

        assertThat(session.lastFrame()).contains("\"code\":\"invalid_topic\"");
        assertThat(hub.topicCount()).isZero();
    }

    @Test
    void a_binary_frame_closes_with_unsupported_data() {
        ClientConnection c = authenticated();

        c.onBinary();

        assertThat(session.closeReason()).isEqualTo(CloseReason.UNSUPPORTED_DATA);
    }

    @Test
    void closing_the_session_removes_it_from_the_hub_at_once() {
        ClientConnection c = authenticated();
        c.onText("{\"type\":\"subscribe\",\"topics\":[\"news\"]}");
        assertThat(hub.connectionCount()).isEqualTo(1);

        session.close(CloseReason.KICKED);

        assertThat(hub.connectionCount()).isZero();
        assertThat(hub.userCount()).isZero();
        assertThat(hub.topicCount()).isZero();
        assertThat(hub.deliver(List.of(new Target.User("alice")),
                new Message("x", 1, "1", "1".getBytes(StandardCharsets.UTF_8)))).isZero();
    }

    @Test
    void the_peer_going_away_removes_the_session_too() {
        authenticated();

        session.transportClosed();

        assertThat(hub.sessions("alice")).isEmpty();
        assertThat(session.closeTransportCalls()).isZero();
    }

    @Test
    void frames_from_a_seed_connection_after_login_are_ignored() {
        ClientConnection c = dev();
        c.onText("{\"uid\":\"123\"}");

        c.onText("{\"type\":\"subscribe\",\"topics\":[\"news\"]}");
        c.onText("{\"type\":\"ping\"}");

        assertThat(session.frames()).isEmpty();
        assertThat(hub.topicCount()).isZero();
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    void a_login_over_the_per_user_cap_closes_with_too_many_connections() {
        Hub small = new Hub(1, new HubStats());
        FakeSession first = new FakeSession();
        new ClientConnection(first, small, new DevAuthenticator(), new ClientFrameParser(), LIMITS, "n", recipientStore).start(null, "u", null);
        FakeSession second = new FakeSession();

        new ClientConnection(second, small, new DevAuthenticator(), new ClientFrameParser(), LIMITS, "n", recipientStore).start(null, "u", null);

        assertThat(second.closeReason()).isEqualTo(CloseReason.TOO_MANY_CONNECTIONS);
        assertThat(second.frames()).isEmpty();
        assertThat(small.sessions("u")).containsExactly(first); // the refused one's close did not remove the first
    }

    @Test
    void a_subscribe_with_since_to_several_topics_replays_each_topic_in_order_and_a_message_in_both_once() {
        ClientConnection c = authenticated();
        dev.herald.core.message.MessageIds ids = new dev.herald.core.message.MessageIds();
        long now = System.currentTimeMillis();
        dev.herald.core.store.StoredMessage seen = new dev.herald.core.store.StoredMessage(ids.next(now), now, now + 60_000,
                "\"seen\"", List.of(), List.of("public.news"), false, null);
        dev.herald.core.store.StoredMessage both = new dev.herald.core.store.StoredMessage(ids.next(now), now, now + 60_000,
                "\"both\"", List.of(), List.of("public.news", "public.sport"), false, null);
        dev.herald.core.store.StoredMessage sport = new dev.herald.core.store.StoredMessage(ids.next(now), now, now + 60_000,
                "\"sport\"", List.of(), List.of("public.sport"), false, null);
        store.append(List.of(seen, both, sport)).join();

        c.onText("{\"type\":\"subscribe\",\"topics\":[\"public.news\",\"public.sport\"],\"since\":\"" + seen.id() + "\"}");

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !session.cursors().replaying(new Target.Topic("public.sport")));
        assertThat(session.frames().subList(2, session.frames().size())).satisfiesExactly(
                f -> assertThat(f).startsWith("{\"type\":\"subscribed\""),
                f -> assertThat(f).contains("\"topic\":\"public.news\",\"pos\":2,").contains("\"data\":\"both\""),
                f -> assertThat(f).contains("\"topic\":\"public.sport\",\"pos\":2,").contains("\"data\":\"sport\""),
                f -> assertThat(f).matches("\\{\"type\":\"positions\",\"topics\":\\{\"public.news\":\"2@[0-9a-f]{8}\",\"public.sport\":\"2@[0-9a-f]{8}\"}}"));
    }
}
