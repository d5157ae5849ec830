package dev.herald.core.notify;

import dev.herald.core.JsonText;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.message.NotifyRequest;
import dev.herald.core.message.PublishRequest;
import dev.herald.core.message.UserIds;
import dev.herald.core.store.StoreFailures;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The API side of the notification channels: checks what a publisher asked for against the configured
 * channels, turns a publish request into the deliveries to commit with its message, and serves the
 * contacts and dead-letter operations. Delivery itself is {@link NotifyDispatcher}'s job.
 */
public final class Notifications {
    private final Notifiers notifiers;
    private final NotifyStore store;
    private final Function<String, Duration> deadlineOf;
    private final String defaultTitle;
    private volatile DispatchSignals signals = DispatchSignals.NONE;

    /**
     * @param deadlineOf   per channel: how long a delivery may keep retrying
     * @param defaultTitle the title of notifications whose publisher gave none
     */
    public Notifications(Notifiers notifiers, NotifyStore store, Function<String, Duration> deadlineOf, String defaultTitle) {
        this.notifiers = notifiers;
        this.store = store;
        this.deadlineOf = deadlineOf;
        this.defaultTitle = defaultTitle;
    }

    /** Connects the dispatcher (it is built after this, by the composition root). */
    public void signals(DispatchSignals signals) {
        this.signals = signals;
    }

    public Notifiers notifiers() {
        return notifiers;
    }

    /** Whether deliveries are kept (false only for a store without {@link NotifyStore}, in tests of the in-app path). */
    public boolean stored() {
        return store != null;
    }

    /**
     * Checks the channel part of a request and returns it with its explicit targets normalised by their
     * notifiers. Throws {@code invalid_request} naming the field.
     */
    public PublishRequest prepare(PublishRequest r) {
        NotifyRequest n = r.delivery();
        if (!n.hasOtherChannels()) {
            return r;
        }
        for (String channel : n.channels()) {
            requireChannel(channel, "channels");
        }
        boolean otherChannelForUsers = n.channels().stream().anyMatch(c -> !Notifiers.WS.equals(c));
        if (otherChannelForUsers && r.users().isEmpty()) {
            throw ErrorCode.INVALID_REQUEST.exception("channels: channels other than ws reach the users of to.users (through their contacts); "
                    + "name users, or give explicit targets such as to.webhook");
        }
        if (n.fallback() != null) {
            if (!n.inApp() || r.users().isEmpty()) {
                throw ErrorCode.INVALID_REQUEST.exception("fallback: needs users in to.users and the ws channel: it fires when a user has not acked the in-app message");
            }
            for (String channel : n.fallback().channels()) {
                requireChannel(channel, "fallback.channels");
            }
        }
        if (!r.persist()) {
            throw ErrorCode.INVALID_REQUEST.exception("persist: false cannot be combined with channels other than ws, targets or a fallback "
                    + "(their deliveries are recorded with the message so that they survive a restart)");
        }
        List<Destination> targets = new ArrayList<>(n.targets().size());
        Map<String, Integer> perChannel = new LinkedHashMap<>();
        n.targets().forEach(d -> perChannel.merge(d.channel(), 1, Integer::sum));
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (Destination d : n.targets()) {
            int index = seen.merge(d.channel(), 1, Integer::sum) - 1;
            String path = "to." + d.channel() + (perChannel.get(d.channel()) > 1 ? "[" + index + "]" : "");
            Notifier notifier = requireChannel(d.channel(), path);
            targets.add(notifier.validate(d, addressPath(path, notifier)));
        }
        return r.withDelivery(new NotifyRequest(n.channels(), targets, n.fallback(), n.content()));
    }

    /** The field a notifier names when it refuses an address: {@code webhook.url} for URLs, {@code email} for e-mail addresses. */
    private static String addressPath(String base, Notifier notifier) {
        return notifier.addressField() == null ? base : base + "." + notifier.addressField();
    }

    private Notifier requireChannel(String channel, String path) {
        if (Notifiers.WS.equals(channel)) {
            if (!path.equals("channels")) {
                throw ErrorCode.INVALID_REQUEST.exception(path + ": " + Notifiers.WS + " has no explicit targets");
            }
            return null;
        }
        Notifier notifier = notifiers.get(channel);
        if (notifier == null) {
            throw ErrorCode.INVALID_REQUEST.exception(path + ": " + (path.startsWith("to.") ? "unknown field, or " : "")
                    + "channel '" + JsonText.printable(channel)
                    + "' is not enabled on this server (enabled: " + enabledChannels() + ")");
        }
        return notifier;
    }

    private String enabledChannels() {
        List<String> all = new ArrayList<>();
        all.add(Notifiers.WS);
        all.addAll(notifiers.channels());
        return String.join(", ", all);
    }

    /**
     * The deliveries a prepared request makes for message {@code messageId}: one per user and channel other
     * than ws (from the user's contact, at send time), one per user and fallback channel (waiting for the ack),
     * one per explicit target. {@code ids} gives delivery ids (ULIDs, so dead letters page in time order).
     */
    public List<NotifyJob> plan(PublishRequest r, String messageId, long now, Supplier<String> ids) {
        NotifyRequest n = r.delivery();
        if (!n.hasOtherChannels()) {
            return List.of();
        }
        List<NotifyJob> jobs = new ArrayList<>();
        for (String user : r.users()) {
            for (String channel : n.channels()) {
                if (!Notifiers.WS.equals(channel)) {
                    jobs.add(job(r, ids.get(), messageId, channel, user, null, now, now, false));
                }
            }
            if (n.fallback() != null) {
                long fireAt = now + n.fallback().after().toMillis();
                for (String channel : n.fallback().channels()) {
                    jobs.add(job(r, ids.get(), messageId, channel, user, null, now, fireAt, true));
                }
            }
        }
        for (Destination target : n.targets()) {
            jobs.add(job(r, ids.get(), messageId, target.channel(), null, target, now, now, false));
        }
        return jobs;
    }

    private NotifyJob job(PublishRequest r, String id, String messageId, String channel, String user, Destination target,
                          long now, long dueAt, boolean fallback) {
        NotifyRequest.Content c = r.delivery().content();
        String title = c != null && c.title() != null ? c.title() : defaultTitle;
        String text = c != null && c.text() != null ? c.text() : new String(r.rawBody(), StandardCharsets.UTF_8);
        Notification content = new Notification(id, messageId, user, now, title, text,
                c == null ? null : c.html(), c == null ? null : c.markdown(), r.dataJson());
        long deadline = dueAt + deadlineOf.apply(channel).toMillis();
        return NotifyJob.create(id, messageId, channel, user, target, content, now, dueAt, deadline, fallback);
    }

    /** After the commit: wake the dispatcher, and let acks of fallback messages cancel them at once. */
    public void committed(List<NotifyJob> jobs) {
        if (!jobs.isEmpty()) {
            signals.scheduled(jobs);
        }
    }

    // ---- contacts -------------------------------------------------------------------------------

    /** {@code PUT /api/v1/users/{uid}/contacts}: replaces them; each destination is validated by its channel. */
    public CompletableFuture<Contacts> putContacts(String userId, Map<String, Destination> destinations, long now) {
        requireUser(userId);
        Map<String, Destination> checked = new LinkedHashMap<>();
        for (Map.Entry<String, Destination> e : destinations.entrySet()) {
            Notifier notifier = notifiers.get(e.getKey());
            if (notifier == null) {
                throw ErrorCode.INVALID_REQUEST.exception(JsonText.printable(e.getKey()) + ": channel '" + JsonText.printable(e.getKey())
                        + "' is not enabled on this server (enabled for contacts: " + String.join(", ", notifiers.channels()) + ")");
            }
            checked.put(e.getKey(), notifier.validate(e.getValue(), addressPath(e.getKey(), notifier)));
        }
        Contacts contacts = new Contacts(checked, Map.of(), now);
        return store.putContacts(userId, contacts).thenApply(v -> contacts).exceptionally(Notifications::rethrow);
    }

    public CompletableFuture<Contacts> contacts(String userId) {
        requireUser(userId);
        return store.contacts(userId).exceptionally(Notifications::rethrow)
                .thenApply(c -> c.orElseThrow(() -> ErrorCode.CONTACTS_NOT_FOUND.exception(
                        "the user has no contacts")));
    }

    public CompletableFuture<Void> deleteContacts(String userId) {
        requireUser(userId);
        return store.deleteContacts(userId).exceptionally(Notifications::rethrow).thenAccept(deleted -> {
            if (!deleted) {
                throw ErrorCode.CONTACTS_NOT_FOUND.exception("the user has no contacts");
            }
        });
    }

    // ---- deliveries and dead letters ------------------------------------------------------------------

    /** Every channel delivery of a message (its receipt shows them). */
    public CompletableFuture<List<NotifyJob>> deliveriesOf(String messageId) {
        return store.jobsOf(messageId);
    }

    public CompletableFuture<List<NotifyJob>> deadLetters(DeadLetterQuery query) {
        return store.deadLetters(query).exceptionally(Notifications::rethrow);
    }

    /** How many dead letters there are (filters as {@link #deadLetters}, each {@code null}: any). */
    public CompletableFuture<Long> countDeadLetters(String channel, String userId, String messageId) {
        return store.countDeadLetters(channel, userId, messageId).exceptionally(Notifications::rethrow);
    }

    public CompletableFuture<NotifyJob> deadLetter(String id) {
        return store.job(id).exceptionally(Notifications::rethrow).thenApply(job -> job
                .filter(j -> j.state() == JobState.DEAD)
                .orElseThrow(() -> deadLetterNotFound(id)));
    }

    /** Puts a dead letter back in the queue with a fresh attempt budget and deadline; completes with it as it is now. */
    public CompletableFuture<NotifyJob> retryDeadLetter(String id, long now) {
        return store.job(id).exceptionally(Notifications::rethrow).thenCompose(job -> {
            NotifyJob dead = job.filter(j -> j.state() == JobState.DEAD).orElseThrow(() -> deadLetterNotFound(id));
            long deadline = now + deadlineOf.apply(dead.channel()).toMillis();
            return store.retryDead(id, now, deadline).exceptionally(Notifications::rethrow).thenCompose(retried -> {
                if (!retried) {
                    throw deadLetterNotFound(id);
                }
                signals.wake();
                return store.job(id).exceptionally(Notifications::rethrow);
            }).thenApply(Optional::orElseThrow);
        });
    }

    public CompletableFuture<Void> deleteDeadLetter(String id) {
        return store.deleteDead(id).exceptionally(Notifications::rethrow).thenAccept(deleted -> {
            if (!deleted) {
                throw deadLetterNotFound(id);
            }
        });
    }

    private static HeraldException deadLetterNotFound(String id) {
        return ErrorCode.DEAD_LETTER_NOT_FOUND.exception("no dead letter with this id");
    }

    private static void requireUser(String userId) {
        if (!UserIds.isValid(userId)) {
            throw ErrorCode.INVALID_REQUEST.exception("uid is not a valid user id: 1-" + UserIds.MAX_LENGTH
                    + " characters, no control characters");
        }
    }

    /** Store failures become 503 {@code store_unavailable}; catalogued errors pass through. */
    private static <T> T rethrow(Throwable e) {
        throw StoreFailures.asError(e, "notification store operation", "the store cannot answer right now; retry later");
    }
}
