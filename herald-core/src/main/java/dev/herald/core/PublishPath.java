package dev.herald.core;

import dev.herald.core.PushCenter.BatchResult;
import dev.herald.core.PushCenter.Published;
import dev.herald.core.broker.Broker;
import dev.herald.core.broker.BrokerEnvelope;
import dev.herald.core.delivery.Durability;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.hub.HubStats;
import dev.herald.core.message.Message;
import dev.herald.core.message.MessageIds;
import dev.herald.core.message.PublishRequest;
import dev.herald.core.message.Topics;
import dev.herald.core.message.UserIds;
import dev.herald.core.notify.Notifications;
import dev.herald.core.notify.NotifyJob;
import dev.herald.core.protocol.PublishRequestParser;
import dev.herald.core.store.Appended;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.StoreFailures;
import dev.herald.core.store.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Herald's one publish path. A publish call's requests, in order, are <em>admitted</em> (checked, their other
 * channels prepared, counted in), then go out:
 * <ul>
 *   <li><b>durable</b> (an admitted request of the call has {@code persist}): every admitted request takes its id, the
 *       durable ones are appended in one store call, and the live fan-out of all of them, in request order, is the
 *       append's step ({@link MessageStore#append(List, java.util.function.Function)}), so it runs in commit order:
 *       each stream's live messages leave in position order. A failed commit publishes none of the call.</li>
 *   <li><b>transient</b> (none has): each is fanned out at once, on the calling thread; a broker failure fails the
 *       call (a transient request of a durable call fails alone with {@code internal_error}).</li>
 * </ul>
 * Each request then gets its outcome: {@link Published} or a catalogued error. A single request and a batch are
 * two kinds of {@link Publication} through this same path; neither has a copy of it.
 *
 * <p>Thread-safe. Never blocks: the transient fan-out only enqueues onto bounded session queues, and the durable
 * case completes its publication when the store has committed.
 */
final class PublishPath {
    private static final Logger log = LoggerFactory.getLogger(PublishPath.class);

    private final Broker broker;
    private final HubStats stats;
    private final Clock clock;
    private final MessageStore store;
    private final Durability durability;
    private final Notifications notifications;
    private final MessageIds ids = new MessageIds();

    PublishPath(Broker broker, HubStats stats, Clock clock, MessageStore store, Durability durability,
                Notifications notifications) {
        this.broker = broker;
        this.stats = stats;
        this.clock = clock;
        this.store = store;
        this.durability = durability;
        this.notifications = notifications;
    }

    /**
     * One publish call as data: its requests in order, and where their outcomes go, in the same order. It is the
     * caller's future too, so routing a fire-and-forget request through the general path costs no object of its own.
     * Outcomes are given on the thread that completes the publish, never inside the store's commit step.
     */
    abstract static class Publication<T> extends CompletableFuture<T> {
        abstract int size();

        /** The {@code i}-th request, or {@code null} when it was refused before the path ({@link #rejected}). */
        abstract PublishRequest request(int i);

        /** Why the {@code i}-th request was refused before the path (when {@link #request} is {@code null}). */
        abstract HeraldException rejected(int i);

        /** The next request (in order) went out. */
        abstract void published(Published published);

        /** The next request (in order) failed alone. */
        abstract void refused(HeraldException error);

        /** Every request has its outcome. */
        abstract void done();
    }

    /** A single request ({@code /send}, {@code POST /api/v1/messages}): its outcome is the future's. */
    static final class One extends Publication<Published> {
        private final PublishRequest request;

        One(PublishRequest request) {
            this.request = request;
        }

        @Override int size() { return 1; }
        @Override PublishRequest request(int i) { return request; }
        @Override HeraldException rejected(int i) { throw new IllegalStateException("a single request is never refused before the path"); }
        @Override void published(Published published) { complete(published); }
        @Override void refused(HeraldException error) { completeExceptionally(error); }
        @Override void done() { }
    }

    /** A batch: one result per entry, in array order; entries the parser refused keep their error. */
    static final class Batch extends Publication<List<BatchResult>> {
        private final List<PublishRequestParser.Item> items;
        private final List<BatchResult> results;

        Batch(List<PublishRequestParser.Item> items) {
            this.items = items;
            this.results = new ArrayList<>(items.size());
        }

        @Override int size() { return items.size(); }
        @Override PublishRequest request(int i) { return items.get(i).error() == null ? items.get(i).request() : null; }
        @Override HeraldException rejected(int i) { return items.get(i).error(); }
        @Override void published(Published published) { results.add(new BatchResult(published, null)); }
        @Override void refused(HeraldException error) { results.add(new BatchResult(null, error)); }
        @Override void done() { complete(results); }
    }

    /** Runs {@code call} through the path and returns it (it completes when every request has its outcome). */
    <T> Publication<T> publish(Publication<T> call) {
        long now = clock.millis();
        if (anyDurable(call)) {
            return appendThenFanOut(call, now);
        }
        for (int i = 0; i < call.size(); i++) {
            PublishRequest request = call.request(i);
            if (request == null) {
                call.refused(call.rejected(i));
                continue;
            }
            try {
                request = admit(request);
            } catch (HeraldException e) {
                call.refused(e);
                continue;
            }
            call.published(fanOutNow(request, ids.next(now), now));
        }
        call.done();
        return call;
    }

    private static boolean anyDurable(Publication<?> call) {
        for (int i = 0; i < call.size(); i++) {
            PublishRequest request = call.request(i);
            if (request != null && request.persist()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks a request, prepares its deliveries through other channels and counts it in; throws the catalogued
     * error of an invalid one (then it is not counted). Admission keeps {@code persist} as it was.
     */
    private PublishRequest admit(PublishRequest request) {
        validate(request);
        PublishRequest prepared = notifications.prepare(request);
        stats.messagesIn.increment();
        return prepared;
    }

    /** A transient call's request: fanned out now; a broker failure fails the publish call (nothing was kept). */
    private Published fanOutNow(PublishRequest r, String id, long now) {
        int delivered = broker.publish(new BrokerEnvelope(r.targets(), new Message(id, now, r.dataJson(), r.rawBody())));
        return new Published(id, delivered, false, false);
    }

    /**
     * A call with durable requests: ids for all, one append for the durable ones, the fan-out of all as the
     * append's step. {@code outcomes[i]} is the {@code i}-th outcome: a {@link Published} or a {@link HeraldException}.
     */
    private <T> Publication<T> appendThenFanOut(Publication<T> call, long now) {
        int size = call.size();
        Object[] outcomes = new Object[size];
        PublishRequest[] admitted = new PublishRequest[size];
        String[] messageIds = new String[size];
        List<List<NotifyJob>> jobs = new ArrayList<>(size);
        List<StoredMessage> stored = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            jobs.add(null);
            PublishRequest r = call.request(i);
            if (r == null) {
                outcomes[i] = call.rejected(i);
                continue;
            }
            try {
                r = admit(r);
            } catch (HeraldException e) {
                outcomes[i] = e;
                continue;
            }
            admitted[i] = r;
            String id = ids.next(now);
            messageIds[i] = id;
            List<NotifyJob> planned = notifications.plan(r, id, now, () -> ids.next(now));
            jobs.set(i, planned);
            if (r.persist()) {
                stored.add(new StoredMessage(id, now, now + ttl(r).toMillis(), r.dataJson(), r.inAppUsers(), r.topics(), r.all(),
                        r.idempotencyKey(), planned, r.idempotencyKey() == null ? null : r.fingerprint()));
            }
        }
        if (stored.isEmpty()) {
            // every durable request was refused: nothing to commit, so no store call, and the rest goes out as a
            // transient call's requests do
            for (int i = 0; i < size; i++) {
                if (admitted[i] != null) {
                    outcomes[i] = fanOutNow(admitted[i], messageIds[i], now);
                }
            }
            answer(call, outcomes);
            return call;
        }
        // The fan-out runs in the store's commit order, so each stream's live messages reach a connection in
        // position order; that and the replay's head are all the replay/live seam needs (StreamCursors). No lock:
        // ids are not in commit order, positions are. A transient request of the call waits for the commit: the
        // call goes out in request order, and a failed commit publishes none of it.
        store.append(stored, appended -> {
            Iterator<Appended> next = appended.iterator();
            for (int i = 0; i < size; i++) {
                PublishRequest r = admitted[i];
                if (r == null) {
                    continue;
                }
                if (!r.persist()) {
                    outcomes[i] = fanOutTransient(r, messageIds[i], now);
                    continue;
                }
                Appended a = next.next();
                outcomes[i] = fanOutStored(r, a, now);
                if (!a.duplicate()) {
                    notifications.committed(jobs.get(i));
                }
            }
            return outcomes;
        }).whenComplete((done, error) -> {
            if (error != null) {
                stats.storeFailures.increment();
                HeraldException failure = storeFailure(error);
                if (failure.code() == ErrorCode.STORE_UNAVAILABLE) {
                    call.completeExceptionally(failure);
                    return;
                }
                for (int i = 0; i < size; i++) {
                    if (admitted[i] != null) {
                        outcomes[i] = failure;
                    }
                }
            }
            answer(call, outcomes);
        });
        return call;
    }

    /** Gives {@code call} its outcomes, in order: each a {@link Published} or a {@link HeraldException}. */
    private static void answer(Publication<?> call, Object[] outcomes) {
        for (Object outcome : outcomes) {
            if (outcome instanceof Published p) {
                call.published(p);
            } else {
                call.refused((HeraldException) outcome);
            }
        }
        call.done();
    }

    private Object fanOutStored(PublishRequest r, Appended a, long now) {
        if (a.keyReused()) {
            // the first message's id is not revealed: the caller sent something else under this key
            return ErrorCode.IDEMPOTENCY_KEY_REUSED.exception(
                    "this idempotency key was used before for a different request; nothing was published");
        }
        if (a.duplicate()) {
            return new Published(a.id(), 0, true, true);
        }
        Message message = new Message(a.id(), now, r.dataJson(), r.rawBody(), true, a.positions());
        return new Published(a.id(), fanOutCommitted(new BrokerEnvelope(r.targets(), message)), true, false);
    }

    /** A transient request of a call with durable ones: a broker failure fails only this request (nothing keeps it). */
    private Object fanOutTransient(PublishRequest r, String id, long now) {
        try {
            return fanOutNow(r, id, now);
        } catch (RuntimeException e) {
            log.error("live delivery of message {} (persist=false) failed", id, e);
            return ErrorCode.INTERNAL_ERROR.exception("the message could not be delivered; it was not stored");
        }
    }

    /** Live fan-out of a committed message: a broker failure does not fail the publish, the message is replayed later. */
    private int fanOutCommitted(BrokerEnvelope envelope) {
        try {
            return broker.publish(envelope);
        } catch (RuntimeException e) {
            log.error("message {} is stored but its live delivery failed; clients get it on their next replay",
                    envelope.message().id(), e);
            return 0;
        }
    }

    private Duration ttl(PublishRequest r) {
        return r.ttl() == null ? durability.defaultTtl() : r.ttl();
    }

    /** Store failures become 503 {@code store_unavailable}; the cause is logged once, not sent to the client. */
    static HeraldException storeFailure(Throwable e) {
        return StoreFailures.asError(e, "publish", "the message store cannot commit right now; nothing was stored, retry later");
    }

    private void validate(PublishRequest request) {
        if (request.ttl() != null && request.ttl().compareTo(durability.maxTtl()) > 0) {
            throw ErrorCode.INVALID_REQUEST.exception("ttl must be at most " + durability.maxTtl().toSeconds()
                    + " seconds (messages.max-ttl)");
        }
        if (request.users().size() + request.topics().size() > PushCenter.MAX_RECIPIENTS) {
            throw ErrorCode.INVALID_REQUEST.exception("a message names at most " + PushCenter.MAX_RECIPIENTS
                    + " users and topics together; use a topic or all:true for larger audiences");
        }
        for (String user : request.users()) {
            requireValidUser(user, "to.users");
        }
        for (int i = 0; i < request.topics().size(); i++) {
            if (!Topics.isValid(request.topics().get(i))) {
                throw ErrorCode.INVALID_REQUEST.exception("to.topics[" + i + "] is not a valid topic name: 1-"
                        + Topics.MAX_LENGTH + " characters of A-Z a-z 0-9 _ - . : / @");
            }
        }
    }

    static void requireValidUser(String userId, String field) {
        if (!UserIds.isValid(userId)) {
            throw ErrorCode.INVALID_REQUEST.exception(field + " has an invalid user id: 1-" + UserIds.MAX_LENGTH
                    + " characters, no control characters");
        }
    }
}
