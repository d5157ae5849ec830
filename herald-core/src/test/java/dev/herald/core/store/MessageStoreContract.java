package dev.herald.core.store;

import dev.herald.core.message.MessageIds;
import dev.herald.core.message.Target;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link MessageStore} must show; each implementation's test extends this class.
 * Times are explicit ({@code now}), never the wall clock, so expiry is tested without waiting.
 */
public abstract class MessageStoreContract {
    protected static final long T0 = 1_800_000_000_000L;
    protected static final long HOUR = 3_600_000L;
    protected static final StoreLimits LIMITS = new StoreLimits(5, Duration.ofHours(24));

    protected final MessageIds ids = new MessageIds();
    protected MessageStore store;

    /** A fresh, empty store with these limits. */
    protected abstract MessageStore createStore(StoreLimits limits) throws Exception;

    /** Releases what {@link #createStore} made (files, schemas). */
    protected void destroyStore() throws Exception { }

    @BeforeEach
    void open() throws Exception {
        store = createStore(LIMITS);
    }

    @AfterEach
    void closeStore() throws Exception {
        store.close();
        destroyStore();
    }

    protected StoredMessage toUsers(String data, String... users) {
        return new StoredMessage(ids.next(T0), T0, T0 + HOUR, data, List.of(users), List.of(), false, null);
    }

    protected StoredMessage withKey(StoredMessage m, String key) {
        return new StoredMessage(m.id(), m.timestamp(), m.expiresAt(), m.dataJson(), m.users(), m.topics(), m.all(), key);
    }

    protected StoredMessage withKey(StoredMessage m, String key, String requestHash) {
        return new StoredMessage(m.id(), m.timestamp(), m.expiresAt(), m.dataJson(), m.users(), m.topics(), m.all(), key,
                m.jobs(), requestHash);
    }

    protected static <T> T await(CompletableFuture<T> future) {
        return future.orTimeout(30, TimeUnit.SECONDS).join();
    }

    protected List<String> replayIds(Target stream, String after, ReplayRequest.Pending pending, long now) {
        return await(store.replay(new ReplayRequest(stream, after, pending, 1000), now)).messages().stream()
                .map(StoredMessage::id).toList();
    }

    /** The messages as they were appended, before the store gave them positions. */
    protected static List<StoredMessage> withoutPositions(List<StoredMessage> messages) {
        return messages.stream().map(m -> m.withPositions(Map.of())).toList();
    }

    protected static Target.User user(String id) {
        return new Target.User(id);
    }

    @Test
    void appendedMessagesReplayInIdOrderWithTheirDataIntact() {
        String tricky = "{\"text\":\"héllo 🎉 \\\"q\\\" \\u0000\",\"n\":[1,2.5e3,null,true],\"deep\":{\"a\":{}}}";
        StoredMessage a = toUsers(tricky, "u1");
        StoredMessage b = toUsers("\"plain\"", "u1", "u2");
        List<Appended> appended = await(store.append(List.of(a, b)));
        assertThat(appended).extracting(Appended::id, Appended::duplicate).containsExactly(tuple(a.id(), false), tuple(b.id(), false));

        Replay replay = await(store.replay(new ReplayRequest(user("u1"), null, ReplayRequest.Pending.ALL, 10), T0));
        assertThat(withoutPositions(replay.messages())).containsExactly(a, b);
        assertThat(replay.gap()).isFalse();
        assertThat(replay.more()).isFalse();
        assertThat(replayIds(user("u2"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(b.id());
        assertThat(replayIds(user("nobody"), null, ReplayRequest.Pending.ALL, T0)).isEmpty();
    }

    @Test
    void replayPagesAfterACursor() {
        List<StoredMessage> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(toUsers(String.valueOf(i), "u1"));
        }
        await(store.append(batch));
        Replay first = await(store.replay(new ReplayRequest(user("u1"), batch.get(0).id(), ReplayRequest.Pending.ALL, 2), T0));
        assertThat(withoutPositions(first.messages())).containsExactly(batch.get(1), batch.get(2));
        assertThat(first.more()).isTrue();
        Replay second = await(store.replay(new ReplayRequest(user("u1"), batch.get(2).id(), ReplayRequest.Pending.ALL, 2), T0));
        assertThat(withoutPositions(second.messages())).containsExactly(batch.get(3), batch.get(4));
        assertThat(second.more()).isFalse();
        assertThat(second.gap()).isFalse();
    }

    @Test
    void topicAndBroadcastMessagesAreKeptInTheirOwnStreams() {
        StoredMessage topic = new StoredMessage(ids.next(T0), T0, T0 + HOUR, "1", List.of(), List.of("news", "sport"), false, null);
        StoredMessage all = new StoredMessage(ids.next(T0), T0, T0 + HOUR, "2", List.of(), List.of(), true, null);
        StoredMessage direct = toUsers("3", "u1");
        await(store.append(List.of(topic, all, direct)));
        assertThat(replayIds(new Target.Topic("news"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(topic.id());
        assertThat(replayIds(new Target.Topic("sport"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(topic.id());
        assertThat(replayIds(Target.Everyone.INSTANCE, null, ReplayRequest.Pending.ALL, T0)).containsExactly(all.id());
        assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(direct.id());
        Receipt receipt = await(store.receipt(topic.id(), T0)).orElseThrow();
        assertThat(receipt.message()).isEqualTo(topic);
        assertThat(receipt.recipients()).isEmpty();
    }

    @Test
    void aRepeatedIdempotencyKeyReturnsTheFirstMessageAndStoresNothing() {
        StoredMessage first = withKey(toUsers("1", "u1"), "order-42");
        assertThat(await(store.append(List.of(first)))).extracting(Appended::id, Appended::duplicate).containsExactly(tuple(first.id(), false));
        StoredMessage again = withKey(toUsers("2", "u1"), "order-42");
        StoredMessage sameCallA = withKey(toUsers("3", "u1"), "order-43");
        StoredMessage sameCallB = withKey(toUsers("4", "u1"), "order-43");
        assertThat(await(store.append(List.of(again, sameCallA, sameCallB)))).extracting(Appended::id, Appended::duplicate).containsExactly(
                tuple(first.id(), true), tuple(sameCallA.id(), false), tuple(sameCallA.id(), true));
        assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(first.id(), sameCallA.id());
        assertThat(await(store.receipt(again.id(), T0))).isEmpty();
    }

    @Test
    void aRepeatedIdempotencyKeyWithAnotherRequestHashIsAReuseAndStoresNothing() {
        StoredMessage first = withKey(toUsers("1", "u1"), "order-42", "hash-a");
        assertThat(outcomes(await(store.append(List.of(first))))).containsExactly(tuple(first.id(), false, false));

        StoredMessage retry = withKey(toUsers("1", "u1"), "order-42", "hash-a");
        StoredMessage other = withKey(toUsers("2", "u1"), "order-42", "hash-b");
        assertThat(await(store.append(List.of(retry)))).containsExactly(Appended.repeatOf(first.id(), "hash-a", "hash-a"));
        assertThat(await(store.append(List.of(other)))).containsExactly(new Appended(first.id(), true, true, Map.of()));

        // in one call: followers are compared with the message that holds the key in the end
        StoredMessage leader = withKey(toUsers("3", "u1"), "order-43", "hash-a");
        StoredMessage otherInCall = withKey(toUsers("4", "u1"), "order-43", "hash-b");
        StoredMessage retryInCall = withKey(toUsers("5", "u1"), "order-43", "hash-a");
        StoredMessage reusesCommitted = withKey(toUsers("6", "u1"), "order-42", "hash-b");
        StoredMessage followsTheReuse = withKey(toUsers("7", "u1"), "order-42", "hash-a");
        List<Appended> inCall = await(store.append(List.of(leader, otherInCall, retryInCall, reusesCommitted, followsTheReuse)));
        assertThat(outcomes(inCall)).containsExactly(
                tuple(leader.id(), false, false), tuple(leader.id(), true, true), tuple(leader.id(), true, false),
                tuple(first.id(), true, true), tuple(first.id(), true, false));
        assertThat(inCall.get(0).positions()).as("the leader is stored").containsKey(user("u1"));
        assertThat(inCall.subList(1, inCall.size())).as("repeats take no position").allSatisfy(a -> assertThat(a.positions()).isEmpty());

        // a message stored without a hash (before hashes were kept) takes any repeat for a retry
        StoredMessage unhashed = withKey(toUsers("8", "u1"), "order-44", null);
        await(store.append(List.of(unhashed)));
        assertThat(await(store.append(List.of(withKey(toUsers("9", "u1"), "order-44", "hash-c")))))
                .containsExactly(new Appended(unhashed.id(), true, false, Map.of()));
        assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(first.id(), leader.id(), unhashed.id());
    }

    /** Each outcome as (id, duplicate, keyReused), leaving the positions out. */
    private static List<Tuple> outcomes(List<Appended> appended) {
        return appended.stream().map(a -> tuple(a.id(), a.duplicate(), a.keyReused())).toList();
    }

    @Test
    void statusMovesForwardOnlyAndIgnoresStrangers() {
        StoredMessage m = toUsers("1", "u1", "u2");
        await(store.append(List.of(m)));
        int applied = await(store.updateStatus(List.of(
                new StatusUpdate(m.id(), "u1", DeliveryStatus.DELIVERED, T0 + 1),
                new StatusUpdate(m.id(), "intruder", DeliveryStatus.ACKED, T0 + 2),
                new StatusUpdate(ids.next(T0), "u1", DeliveryStatus.ACKED, T0 + 2),
                new StatusUpdate(m.id(), "u2", DeliveryStatus.READ, T0 + 3))));
        assertThat(applied).isEqualTo(2);
        await(store.updateStatus(List.of(new StatusUpdate(m.id(), "u2", DeliveryStatus.DELIVERED, T0 + 9))));

        Receipt receipt = await(store.receipt(m.id(), T0 + 10)).orElseThrow();
        assertThat(receipt.recipients()).extracting(Receipt.Recipient::userId).containsExactlyInAnyOrder("u1", "u2");
        Receipt.Recipient u1 = recipient(receipt, "u1");
        assertThat(u1.status()).isEqualTo(DeliveryStatus.DELIVERED);
        assertThat(u1.deliveredAt()).isEqualTo(T0 + 1);
        assertThat(u1.ackedAt()).isNull();
        Receipt.Recipient u2 = recipient(receipt, "u2");
        assertThat(u2.status()).isEqualTo(DeliveryStatus.READ);
        // a read implies it was delivered and acked, at the latest when it was read; a late "delivered" changes nothing
        assertThat(u2.deliveredAt()).isEqualTo(T0 + 3);
        assertThat(u2.ackedAt()).isEqualTo(T0 + 3);
        assertThat(u2.readAt()).isEqualTo(T0 + 3);
    }

    @Test
    void pendingFiltersSelectUndeliveredOrUnackedMessages() {
        StoredMessage delivered = toUsers("1", "u1");
        StoredMessage acked = toUsers("2", "u1");
        StoredMessage fresh = toUsers("3", "u1");
        await(store.append(List.of(delivered, acked, fresh)));
        await(store.updateStatus(List.of(new StatusUpdate(delivered.id(), "u1", DeliveryStatus.DELIVERED, T0),
                new StatusUpdate(acked.id(), "u1", DeliveryStatus.ACKED, T0))));
        assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.UNDELIVERED, T0)).containsExactly(fresh.id());
        assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.UNACKED, T0)).containsExactly(delivered.id(), fresh.id());
        assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(delivered.id(), acked.id(), fresh.id());
    }

    @Test
    void expiredMessagesAreHiddenAtOnceAndReportAGap() {
        StoredMessage before = toUsers("0", "u2");
        StoredMessage shortLived = new StoredMessage(ids.next(T0), T0, T0 + 1000, "1", List.of("u1"), List.of(), false, null);
        StoredMessage longLived = toUsers("2", "u1");
        await(store.append(List.of(before, shortLived, longLived)));
        Replay replay = await(store.replay(new ReplayRequest(user("u1"), before.id(), ReplayRequest.Pending.ALL, 10), T0 + 1000));
        assertThat(withoutPositions(replay.messages())).containsExactly(longLived);
        assertThat(replay.gap()).isTrue();
        assertThat(await(store.replay(new ReplayRequest(user("u1"), shortLived.id(), ReplayRequest.Pending.ALL, 10), T0 + 1000)).gap())
                .isFalse();

        Maintenance m = await(store.maintain(T0 + 1000));
        assertThat(m.expired()).isEqualTo(1);
        assertThat(await(store.maintain(T0 + 2000)).expired()).isZero(); // counted once
        assertThat(recipient(await(store.receipt(shortLived.id(), T0 + 1000)).orElseThrow(), "u1").status())
                .isEqualTo(DeliveryStatus.EXPIRED);
        Replay afterMaintenance = await(store.replay(new ReplayRequest(user("u1"), before.id(), ReplayRequest.Pending.ALL, 10), T0 + 1000));
        assertThat(withoutPositions(afterMaintenance.messages())).containsExactly(longLived);
        assertThat(afterMaintenance.gap()).isTrue();
    }

    @Test
    void anAckedMessageDoesNotExpire() {
        StoredMessage m = new StoredMessage(ids.next(T0), T0, T0 + 1000, "1", List.of("u1"), List.of(), false, null);
        await(store.append(List.of(m)));
        await(store.updateStatus(List.of(new StatusUpdate(m.id(), "u1", DeliveryStatus.ACKED, T0 + 10))));
        assertThat(await(store.maintain(T0 + 5000)).expired()).isZero();
        assertThat(recipient(await(store.receipt(m.id(), T0 + 5000)).orElseThrow(), "u1").status()).isEqualTo(DeliveryStatus.ACKED);
    }

    @Test
    void theStreamCapDropsTheOldestAndReportsAGap() {
        List<StoredMessage> batch = new ArrayList<>();
        for (int i = 0; i < LIMITS.streamCap() + 2; i++) {
            batch.add(toUsers(String.valueOf(i), "u1"));
        }
        StoredMessage other = toUsers("x", "u2");
        batch.add(other);
        await(store.append(batch));
        Maintenance m = await(store.maintain(T0));
        assertThat(m.dropped()).isEqualTo(2);

        List<String> kept = batch.subList(2, LIMITS.streamCap() + 2).stream().map(StoredMessage::id).toList();
        assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.ALL, T0)).containsExactlyElementsOf(kept);
        assertThat(await(store.replay(new ReplayRequest(user("u1"), batch.get(0).id(), ReplayRequest.Pending.ALL, 10), T0)).gap()).isTrue();
        assertThat(await(store.replay(new ReplayRequest(user("u1"), batch.get(1).id(), ReplayRequest.Pending.ALL, 10), T0)).gap()).isFalse();
        assertThat(recipient(await(store.receipt(batch.get(0).id(), T0)).orElseThrow(), "u1").status()).isEqualTo(DeliveryStatus.DROPPED);
        assertThat(replayIds(user("u2"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(other.id());
        assertThat(await(store.maintain(T0)).dropped()).isZero();
    }

    /** The oldest are the first positions (commit order), not the smallest ids. */
    @Test
    void theStreamCapDropsTheFirstPositionsEvenWhenIdsAreOutOfCommitOrder() {
        List<StoredMessage> byId = new ArrayList<>();
        for (int i = 0; i < LIMITS.streamCap() + 1; i++) {
            byId.add(toUsers(String.valueOf(i), "u1"));
        }
        StoredMessage newestId = byId.get(byId.size() - 1);
        await(store.append(List.of(newestId))); // position 1
        List<StoredMessage> rest = byId.subList(0, byId.size() - 1);
        await(store.append(rest));              // positions 2…

        assertThat(await(store.maintain(T0)).dropped()).isEqualTo(1);
        assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.ALL, T0))
                .containsExactlyElementsOf(rest.stream().map(StoredMessage::id).toList());
        assertThat(recipient(await(store.receipt(newestId.id(), T0)).orElseThrow(), "u1").status()).isEqualTo(DeliveryStatus.DROPPED);
        assertThat(recipient(await(store.receipt(rest.get(0).id(), T0)).orElseThrow(), "u1").status()).isEqualTo(DeliveryStatus.ACCEPTED);
        assertThat(await(store.replay(new ReplayRequest(user("u1"), "0", ReplayRequest.Pending.ALL, 10), T0)).gap())
                .as("a cursor before the trim").isTrue();
    }

    @Test
    void messagesPastRetentionArePurgedWithTheirReceiptsAndKeys() {
        StoredMessage m = withKey(new StoredMessage(ids.next(T0), T0, T0 + 1000, "1", List.of("u1"), List.of(), false, null), "k1");
        await(store.append(List.of(m)));
        long beforeRetention = T0 + 1000 + LIMITS.receiptRetention().toMillis() - 1;
        assertThat(await(store.maintain(beforeRetention)).purged()).isZero();
        assertThat(await(store.receipt(m.id(), beforeRetention))).isPresent();

        assertThat(await(store.maintain(beforeRetention + 1)).purged()).isEqualTo(1);
        assertThat(await(store.receipt(m.id(), beforeRetention + 1))).isEmpty();
        StoredMessage reuse = withKey(toUsers("2", "u1"), "k1");
        assertThat(await(store.append(List.of(reuse)))).extracting(Appended::id, Appended::duplicate).containsExactly(tuple(reuse.id(), false));
    }

    @Test
    void completionsArriveInCallOrder() {
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<?>> futures = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int n = i;
            futures.add(store.append(List.of(toUsers(String.valueOf(i), "u" + (i % 7)))).thenRun(() -> order.add(n)));
        }
        futures.forEach(MessageStoreContract::await);
        assertThat(order).isSorted().hasSize(500);
    }

    // ---- the read rule: a replay names the head it read up to

    @Test
    void aReplayNamesTheStreamsLastPositionAsItsHead() {
        Replay empty = await(store.replay(new ReplayRequest(user("u1"), null, ReplayRequest.Pending.ALL, 10), T0));
        assertThat(empty.head()).as("a stream never written to").isNull();
        List<Appended> appended = await(store.append(List.of(toUsers("1", "u1"), toUsers("2", "u1"), toUsers("3", "u1"))));
        StreamPosition last = positionIn(appended.get(2), user("u1"));

        Replay page = await(store.replay(new ReplayRequest(user("u1"), null, ReplayRequest.Pending.ALL, 1), T0));
        assertThat(page.head()).as("a short page still names the stream's head").isEqualTo(last);
        assertThat(page.more()).isTrue();
        Replay pending = await(store.replay(new ReplayRequest(user("u1"), null, null, ReplayRequest.Pending.UNACKED, 10, 2), T0));
        assertThat(pending.head()).as("bounded by the request").isEqualTo(new StreamPosition(2, last.epoch()));
        assertThat(pending.messages()).extracting(m -> m.position(user("u1")).position()).containsExactly(1L, 2L);
        assertThat(await(store.replay(new ReplayRequest(user("u2"), null, ReplayRequest.Pending.ALL, 10), T0)).head()).isNull();
    }

    @Test
    void aReadFromTheHeadReturnsNoMessageOnlyTheHeadAndNoGap() {
        ReplayRequest fromHead = ReplayFrom.HEAD.request(Target.Everyone.INSTANCE, ReplayRequest.Pending.ALL, 1, Long.MAX_VALUE);
        Replay never = await(store.replay(fromHead, T0));
        assertThat(never.messages()).isEmpty();
        assertThat(never.head()).as("a stream never written to").isNull();
        assertThat(never.gap()).isFalse();
        List<StoredMessage> batch = new ArrayList<>();
        for (int i = 0; i < LIMITS.streamCap() + 2; i++) {
            batch.add(new StoredMessage(ids.next(T0), T0, T0 + HOUR, String.valueOf(i), List.of(), List.of(), true, null));
        }
        List<Appended> appended = await(store.append(batch));
        await(store.maintain(T0)); // trimmed: still no gap after the head

        Replay head = await(store.replay(fromHead, T0));
        assertThat(head.messages()).isEmpty();
        assertThat(head.head()).isEqualTo(positionIn(appended.get(appended.size() - 1), Target.Everyone.INSTANCE));
        assertThat(head.gap()).isFalse();
        assertThat(head.more()).isFalse();
    }

    @Test
    void laterPagesStopAtTheHeadTheFirstPageNamed() {
        for (int i = 0; i < 5; i++) {
            await(store.append(List.of(toUsers(String.valueOf(i), "u1"))));
        }
        Replay first = await(store.replay(new ReplayRequest(user("u1"), null, ReplayRequest.Pending.ALL, 2), T0));
        StreamPosition head = first.head();
        assertThat(head.position()).isEqualTo(5);
        for (int i = 5; i < 8; i++) {
            await(store.append(List.of(toUsers(String.valueOf(i), "u1")))); // newer than the replay: they come live
        }
        List<Long> read = new ArrayList<>(first.messages().stream().map(m -> m.position(user("u1")).position()).toList());
        Replay page = first;
        while (page.more()) {
            StoredMessage last = page.messages().get(page.messages().size() - 1);
            page = await(store.replay(ReplayFrom.after(last, user("u1")).request(user("u1"), ReplayRequest.Pending.ALL, 2, head.position()), T0));
            page.messages().forEach(m -> read.add(m.position(user("u1")).position()));
            assertThat(page.head()).isEqualTo(head);
        }
        assertThat(read).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(page.gap()).isFalse();
    }

    /** What a replay returns is exactly the stream's prefix up to the head it names, whatever commits meanwhile. */
    @Test
    void aReplayConcurrentWithAppendsReturnsExactlyThePrefixUpToItsHead() throws Exception {
        int appends = 300;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<CompletableFuture<List<Appended>>> committed = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < appends; i++) {
                    committed.add(store.append(List.of(toUsers(String.valueOf(i), "u1"), toUsers(String.valueOf(i), "u2"))));
                }
            }, pool).thenCompose(v -> CompletableFuture.allOf(committed.toArray(CompletableFuture[]::new)));
            List<Replay> replays = new ArrayList<>();
            while (replays.size() < 20 || !writing.isDone()) {
                replays.add(await(store.replay(new ReplayRequest(user("u1"), null, ReplayRequest.Pending.ALL, 10_000), T0)));
            }
            await(writing);
            long previous = 0;
            for (Replay r : replays) {
                long head = r.head() == null ? 0 : r.head().position();
                assertThat(r.messages()).extracting(m -> m.position(user("u1")).position())
                        .as("the prefix up to head %d", head)
                        .isEqualTo(java.util.stream.LongStream.rangeClosed(1, head).boxed().toList());
                assertThat(head).as("heads only move forward").isGreaterThanOrEqualTo(previous);
                previous = head;
            }
        } finally {
            pool.shutdownNow();
        }
        Replay last = await(store.replay(new ReplayRequest(user("u1"), null, ReplayRequest.Pending.ALL, 10_000), T0));
        assertThat(last.head().position()).isEqualTo(appends);
    }

    /**
     * Ids are taken before the commit, so concurrent publishers commit them out of id order; an id cursor is the
     * id's position in its own stream, so a resume after it misses nothing and repeats nothing.
     */
    @Test
    void anIdCursorIsItsPositionInTheStreamEvenWhenIdsAreOutOfCommitOrder() {
        StoredMessage a = toUsers("a", "u1");
        StoredMessage b = toUsers("b", "u1");
        StoredMessage c = toUsers("c", "u1");
        await(store.append(List.of(c)));
        await(store.append(List.of(a)));
        await(store.append(List.of(b))); // positions: c=1, a=2, b=3; ids: a < b < c

        assertThat(replayIds(user("u1"), c.id(), ReplayRequest.Pending.ALL, T0)).containsExactly(a.id(), b.id());
        assertThat(replayIds(user("u1"), a.id(), ReplayRequest.Pending.ALL, T0)).containsExactly(b.id());
        assertThat(replayIds(user("u1"), b.id(), ReplayRequest.Pending.ALL, T0)).isEmpty();
        assertThat(await(store.replay(new ReplayRequest(user("u1"), c.id(), ReplayRequest.Pending.ALL, 10), T0)).gap()).isFalse();
        // an id the stream does not hold (another stream's) compares by id: from the first message with a greater one
        StoredMessage elsewhere = toUsers("x", "u2");
        await(store.append(List.of(elsewhere)));
        StoredMessage d = toUsers("d", "u1");
        await(store.append(List.of(d)));
        assertThat(replayIds(user("u1"), elsewhere.id(), ReplayRequest.Pending.ALL, T0)).containsExactly(d.id());
    }

    /** The live fan-out runs in the append's step: in commit order, so each stream's readers get it in position order. */
    @Test
    void appendStepsRunInCommitOrder() throws Exception {
        List<Long> stepOrder = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Long>> all = Collections.synchronizedList(new ArrayList<>());
            List<CompletableFuture<Void>> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 100; i++) {
                        all.add(store.append(List.of(toUsers(String.valueOf(i), "u1")), appended -> {
                            long position = appended.get(0).positions().get(user("u1")).position();
                            stepOrder.add(position);
                            return position;
                        }));
                    }
                }, pool));
            }
            threads.forEach(MessageStoreContract::await);
            all.forEach(MessageStoreContract::await);
        } finally {
            pool.shutdownNow();
        }
        assertThat(stepOrder).isEqualTo(java.util.stream.LongStream.rangeClosed(1, 400).boxed().toList());
        CompletableFuture<Object> failing = store.append(List.of(toUsers("boom", "u1")), appended -> {
            throw new IllegalStateException("step failed");
        });
        assertThat(failing).failsWithin(java.time.Duration.ofSeconds(30)).withThrowableThat().withMessageContaining("step failed");
        assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.ALL, T0)).as("committed all the same").hasSize(401);
    }

    @Test
    void concurrentAppendsAreAllCommitted() throws Exception {
        int threads = 8;
        int perThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<String> appended = Collections.synchronizedList(new ArrayList<>());
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perThread; i++) {
                        StoredMessage m = toUsers(String.valueOf(i), "u" + (i % 3));
                        await(store.append(List.of(m)));
                        appended.add(m.id());
                    }
                }, pool));
            }
            done.forEach(MessageStoreContract::await);
        } finally {
            pool.shutdownNow();
        }
        List<String> replayed = new ArrayList<>();
        for (int u = 0; u < 3; u++) {
            List<String> inbox = new ArrayList<>();
            List<Long> positions = new ArrayList<>();
            String after = null;
            Replay page;
            do {
                // paged by message id: ids are taken before the commit, so they are not in commit order; an id
                // cursor is the id's position in its own stream, so the pages still join up exactly
                Target stream = user("u" + u);
                page = await(store.replay(new ReplayRequest(stream, after, ReplayRequest.Pending.ALL, 400), T0));
                page.messages().forEach(m -> {
                    inbox.add(m.id());
                    positions.add(m.position(stream).position());
                });
                after = inbox.isEmpty() ? null : inbox.get(inbox.size() - 1);
            } while (page.more());
            assertThat(positions).isSorted().doesNotHaveDuplicates();
            assertThat(positions).hasSize(inbox.size()).last().isEqualTo((long) inbox.size());
            replayed.addAll(inbox);
        }
        assertThat(replayed).containsExactlyInAnyOrderElementsOf(appended).hasSize(threads * perThread);
    }

    // ---- positions: the store is the sequencer

    protected static StreamPosition positionIn(Appended appended, Target stream) {
        return appended.positions().get(stream);
    }

    @Test
    void positionsCountUpByOnePerStreamInAppendOrderAndEachStreamHasItsOwn() {
        StoredMessage a = toUsers("1", "u1");
        StoredMessage b = toUsers("2", "u1", "u2");
        StoredMessage topicAndAll = new StoredMessage(ids.next(T0), T0, T0 + HOUR, "3", List.of("u2"), List.of("news"), true, null);
        List<Appended> first = await(store.append(List.of(a, b)));
        List<Appended> second = await(store.append(List.of(topicAndAll, toUsers("4", "u1", "u1"))));

        StreamPosition u1 = positionIn(first.get(0), user("u1"));
        assertThat(u1.position()).isEqualTo(1);
        assertThat(u1.epoch()).isNotBlank();
        assertThat(positionIn(first.get(1), user("u1"))).isEqualTo(new StreamPosition(2, u1.epoch()));
        assertThat(positionIn(second.get(1), user("u1"))).as("a user named twice has one entry").isEqualTo(new StreamPosition(3, u1.epoch()));
        assertThat(second.get(1).positions()).containsOnlyKeys(user("u1"));

        StreamPosition u2 = positionIn(first.get(1), user("u2"));
        assertThat(u2.position()).isEqualTo(1);
        assertThat(positionIn(second.get(0), user("u2"))).isEqualTo(new StreamPosition(2, u2.epoch()));
        assertThat(second.get(0).positions()).containsOnlyKeys(user("u2"), new Target.Topic("news"), Target.Everyone.INSTANCE);
        assertThat(positionIn(second.get(0), new Target.Topic("news")).position()).isEqualTo(1);
        assertThat(positionIn(second.get(0), Target.Everyone.INSTANCE).position()).isEqualTo(1);
        assertThat(List.of(u1.epoch(), u2.epoch(), positionIn(second.get(0), new Target.Topic("news")).epoch()))
                .as("each stream makes its own epoch").doesNotHaveDuplicates();
    }

    @Test
    void aDuplicateTakesNoPositionAndTheNextMessageContinuesTheStream() {
        StoredMessage first = withKey(toUsers("1", "u1"), "k");
        Appended a = await(store.append(List.of(first))).get(0);
        List<Appended> again = await(store.append(List.of(withKey(toUsers("2", "u1"), "k"), toUsers("3", "u1"))));
        assertThat(again.get(0).duplicate()).isTrue();
        assertThat(again.get(0).positions()).isEmpty();
        assertThat(positionIn(again.get(1), user("u1"))).isEqualTo(new StreamPosition(2, positionIn(a, user("u1")).epoch()));
    }

    @Test
    void messagesWithAndWithoutKeysInOneCallTakePositionsInCallOrder() {
        await(store.append(List.of(withKey(toUsers("0", "u1"), "taken"))));
        StoredMessage plain = toUsers("1", "u1");
        StoredMessage keyed = withKey(toUsers("2", "u1"), "fresh");
        StoredMessage repeat = withKey(toUsers("3", "u1"), "taken");
        StoredMessage plainAgain = toUsers("4", "u1", "u2");
        StoredMessage repeatInCall = withKey(toUsers("5", "u1"), "fresh");
        List<Appended> appended = await(store.append(List.of(plain, keyed, repeat, plainAgain, repeatInCall)));
        assertThat(appended).extracting(Appended::duplicate).containsExactly(false, false, true, false, true);
        assertThat(List.of(appended.get(0), appended.get(1), appended.get(3)))
                .extracting(a -> positionIn(a, user("u1")).position()).containsExactly(2L, 3L, 4L);
        assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.ALL, T0))
                .containsExactly(appended.get(2).id(), plain.id(), keyed.id(), plainAgain.id());
        assertThat(replayIds(user("u2"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(plainAgain.id());
    }

    @Test
    void replayReturnsEachMessageWithItsPositionInTheReplayedStream() {
        List<StoredMessage> batch = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            batch.add(new StoredMessage(ids.next(T0), T0, T0 + HOUR, String.valueOf(i), List.of("u1"), List.of("news"), false, null));
        }
        List<Appended> appended = new ArrayList<>();
        for (StoredMessage m : batch) {
            appended.addAll(await(store.append(List.of(m))));
        }
        for (Target stream : List.of(user("u1"), new Target.Topic("news"))) {
            Replay replay = await(store.replay(new ReplayRequest(stream, batch.get(0).id(), ReplayRequest.Pending.ALL, 10), T0));
            assertThat(replay.messages()).extracting(StoredMessage::id).containsExactly(batch.get(1).id(), batch.get(2).id(), batch.get(3).id());
            assertThat(replay.messages()).extracting(m -> m.position(stream))
                    .containsExactly(positionIn(appended.get(1), stream), positionIn(appended.get(2), stream), positionIn(appended.get(3), stream))
                    .extracting(StreamPosition::position).containsExactly(2L, 3L, 4L);
        }
    }

    @Test
    void trimmingKeepsTheStreamsPositionsAndEpoch() {
        List<StoredMessage> inbox = new ArrayList<>();
        for (int i = 0; i < LIMITS.streamCap() + 2; i++) {
            inbox.add(toUsers(String.valueOf(i), "u1"));
        }
        List<Appended> appended = await(store.append(inbox));
        await(store.maintain(T0));
        StoredMessage next = toUsers("next", "u1");
        StreamPosition after = positionIn(await(store.append(List.of(next))).get(0), user("u1"));
        assertThat(after).isEqualTo(new StreamPosition(inbox.size() + 1, positionIn(appended.get(0), user("u1")).epoch()));
        Replay replay = await(store.replay(new ReplayRequest(user("u1"), null, ReplayRequest.Pending.ALL, 10), T0));
        assertThat(replay.messages()).extracting(m -> m.position(user("u1")).position())
                .containsExactly(3L, 4L, 5L, 6L, 7L, 8L);
    }

    @Test
    void concurrentAppendsGetDistinctGapFreePositions() throws Exception {
        int threads = 8;
        int perThread = 100;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Appended> appended = Collections.synchronizedList(new ArrayList<>());
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perThread; i++) {
                        StoredMessage m = i % 2 == 0 ? toUsers(String.valueOf(i), "hot")
                                : new StoredMessage(ids.next(T0), T0, T0 + HOUR, "x", List.of("hot", "own" + thread), List.of("news"), false, null);
                        appended.addAll(await(store.append(List.of(m))));
                    }
                }, pool));
            }
            done.forEach(MessageStoreContract::await);
        } finally {
            pool.shutdownNow();
        }
        List<Long> hot = appended.stream().map(a -> positionIn(a, user("hot")).position()).sorted().toList();
        assertThat(hot).isEqualTo(LongStream.rangeClosed(1, threads * perThread).boxed().toList());
        assertThat(appended).extracting(a -> positionIn(a, user("hot")).epoch()).containsOnly(positionIn(appended.get(0), user("hot")).epoch());
        List<Long> news = appended.stream().filter(a -> a.positions().containsKey(new Target.Topic("news")))
                .map(a -> positionIn(a, new Target.Topic("news")).position()).sorted().toList();
        assertThat(news).isEqualTo(LongStream.rangeClosed(1, threads * perThread / 2).boxed().toList());
        for (int t = 0; t < threads; t++) {
            Target own = user("own" + t);
            assertThat(appended.stream().filter(a -> a.positions().containsKey(own)).map(a -> positionIn(a, own).position()).sorted().toList())
                    .isEqualTo(LongStream.rangeClosed(1, perThread / 2).boxed().toList());
        }
        // a replay gives each message the position its append got (ids were taken before the race, so the
        // replay's id order need not be position order here; PushCenter takes ids in append order)
        Map<String, StreamPosition> byId = new HashMap<>();
        appended.forEach(a -> byId.put(a.id(), positionIn(a, user("hot"))));
        Map<String, StreamPosition> replayed = new HashMap<>();
        String after = null;
        Replay page;
        do {
            page = await(store.replay(new ReplayRequest(user("hot"), after, ReplayRequest.Pending.ALL, 300), T0));
            page.messages().forEach(m -> replayed.put(m.id(), m.position(user("hot"))));
            after = page.messages().isEmpty() ? after : page.messages().get(page.messages().size() - 1).id();
        } while (page.more());
        assertThat(replayed).isEqualTo(byId);
    }

    private Replay replayAfter(Target stream, StreamPosition after, int limit, long now) {
        return await(store.replay(new ReplayRequest(stream, null, after, ReplayRequest.Pending.ALL, limit), now));
    }

    @Test
    void aReplayAfterAPositionPagesInPositionOrderWithoutAGap() {
        List<Appended> appended = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            appended.addAll(await(store.append(List.of(toUsers(String.valueOf(i), "u1")))));
        }
        StreamPosition first = positionIn(appended.get(0), user("u1"));
        Replay page = replayAfter(user("u1"), first, 2, T0);
        assertThat(page.messages()).extracting(StoredMessage::id).containsExactly(appended.get(1).id(), appended.get(2).id());
        assertThat(page.more()).isTrue();
        assertThat(page.gap()).isFalse();
        Replay rest = replayAfter(user("u1"), page.messages().get(1).position(user("u1")), 10, T0);
        assertThat(rest.messages()).extracting(m -> m.position(user("u1")).position()).containsExactly(4L, 5L);
        assertThat(rest.more()).isFalse();
        assertThat(rest.gap()).isFalse();
        Replay end = replayAfter(user("u1"), positionIn(appended.get(4), user("u1")), 10, T0);
        assertThat(end.messages()).isEmpty();
        assertThat(end.gap()).isFalse();
    }

    @Test
    void aPositionOfAnotherEpochReplaysTheStreamFromItsBeginningWithAGap() {
        List<Appended> appended = await(store.append(List.of(toUsers("1", "u1"), toUsers("2", "u1"))));
        Replay replay = replayAfter(user("u1"), new StreamPosition(1, "otherepo"), 10, T0);
        assertThat(replay.gap()).isTrue();
        assertThat(replay.messages()).extracting(StoredMessage::id).containsExactly(appended.get(0).id(), appended.get(1).id());
        Replay unknown = replayAfter(user("nobody"), new StreamPosition(3, "otherepo"), 10, T0);
        assertThat(unknown.gap()).as("a stream this store never had").isTrue();
        assertThat(unknown.messages()).isEmpty();
    }

    @Test
    void aReplayAfterAPositionReportsExactlyTheMessagesLostAfterIt() {
        StoredMessage shortLived = new StoredMessage(ids.next(T0), T0, T0 + 1, "short", List.of("u1"), List.of(), false, null);
        List<Appended> appended = await(store.append(List.of(toUsers("1", "u1"), shortLived, toUsers("3", "u1"))));
        StreamPosition beforeShort = positionIn(appended.get(0), user("u1"));
        StreamPosition afterShort = positionIn(appended.get(1), user("u1"));
        // expired: hidden at once, and a reader from before it has a gap; one from after it has none
        assertThat(replayAfter(user("u1"), beforeShort, 10, T0 + 1).gap()).isTrue();
        assertThat(replayAfter(user("u1"), afterShort, 10, T0 + 1).gap()).isFalse();
        await(store.maintain(T0 + 1));
        Replay trimmed = replayAfter(user("u1"), beforeShort, 10, T0 + 1);
        assertThat(trimmed.gap()).isTrue();
        assertThat(trimmed.messages()).extracting(m -> m.position(user("u1")).position()).containsExactly(3L);
        assertThat(replayAfter(user("u1"), afterShort, 10, T0 + 1).gap()).isFalse();
    }

    @Test
    void unknownMessagesHaveNoReceipt() {
        assertThat(await(store.receipt(ids.next(T0), T0))).isEmpty();
        assertThat(await(store.receipt("not-an-id", T0))).isEmpty();
    }

    @Test
    void aClosedStoreRefusesWork() {
        store.close();
        assertThatThrownBy(() -> await(store.append(List.of(toUsers("1", "u1")))))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(StoreUnavailableException.class);
        store.close(); // idempotent
    }

    protected static Receipt.Recipient recipient(Receipt receipt, String userId) {
        Optional<Receipt.Recipient> r = receipt.recipients().stream().filter(x -> x.userId().equals(userId)).findFirst();
        return r.orElseThrow(() -> new AssertionError("no recipient " + userId + " in " + receipt));
    }
}
