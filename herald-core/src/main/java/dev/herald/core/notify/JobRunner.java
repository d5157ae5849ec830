package dev.herald.core.notify;

import dev.herald.core.message.Durations;
import dev.herald.core.store.DeliveryStatus;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.Receipt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;

/**
 * Takes one claimed job to its next state: checks a fallback's ack, resolves the destination, asks the
 * endpoint's circuit breaker, makes one attempt bounded by the channel's timeout, and records the result
 * ({@code SENT}, {@code PENDING} at the backoff, {@code DEAD}, {@code CANCELLED}, or postponed).
 *
 * <p>Nothing here blocks: every step is a future. Results are handled on the dispatcher's executor, never on
 * a notifier's or the store's thread. Logs name the delivery id and the channel, never a destination (a
 * robot's URL carries its token) nor an exception message (it may quote one).
 */
final class JobRunner {
    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    /** A URL in a failure detail: scheme, optional user-info, host, then anything up to white space. */
    private static final Pattern URL = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://(?:[^\\s/?#@]*@)?([^\\s/?#@]*)[^\\s]*");

    private final NotifyStore store;
    private final MessageStore messages;
    private final NotifyMetrics metrics;
    private final Clock clock;
    private final Executor executor;
    /** True once the dispatcher closed and its grace ran out: late results are not recorded (the lease will expire). */
    private final BooleanSupplier abandoned;
    /** Told when a job was put back for a retry at the given time, so a retry due before the next poll is not late. */
    private final LongConsumer retryAt;

    JobRunner(NotifyStore store, MessageStore messages, NotifyMetrics metrics, Clock clock, Executor executor,
              BooleanSupplier abandoned, LongConsumer retryAt) {
        this.store = store;
        this.messages = messages;
        this.metrics = metrics;
        this.clock = clock;
        this.executor = executor;
        this.abandoned = abandoned;
        this.retryAt = retryAt;
    }

    /**
     * Completes (never exceptionally) when the job's next state is recorded, or when a store call failed: then
     * the job keeps its lease, and is claimed again when the lease expires.
     */
    CompletableFuture<Void> run(NotifyJob job, ChannelLane lane) {
        CompletableFuture<Void> done;
        try {
            long now = clock.millis();
            if (now >= job.deadline()) {
                String last = lastFailure(job);
                done = finish(job, null, JobState.DEAD, now,
                        last != null ? last + " (deadline passed)" : "deadline passed before an attempt");
                metrics.dead(lane.channel);
            } else if (job.state() == JobState.WAITING_ACK) {
                done = ackedOrRead(job, now).thenComposeAsync(acked -> acked ? cancel(job, lane) : deliver(job, lane), executor);
            } else {
                done = deliver(job, lane);
            }
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        return done.exceptionally(e -> {
            log.warn("notification {} ({}): a store call failed ({}); the job is retried when its lease expires",
                    job.id(), lane.channel, rootCause(e).getClass().getName());
            return null;
        });
    }

    /**
     * The firing-time check of a fallback: the authoritative one (the dispatcher's eager cancel is best
     * effort). A message unknown to the store (purged) or a job without a user counts as not acked.
     */
    private CompletableFuture<Boolean> ackedOrRead(NotifyJob job, long now) {
        if (job.userId() == null) {
            return CompletableFuture.completedFuture(false);
        }
        return messages.receipt(job.messageId(), now).thenApply(receipt -> receipt.stream()
                .flatMap(r -> r.recipients().stream())
                .filter(r -> r.userId().equals(job.userId()))
                .map(Receipt.Recipient::status)
                .anyMatch(s -> s == DeliveryStatus.ACKED || s == DeliveryStatus.READ));
    }

    private CompletableFuture<Void> cancel(NotifyJob job, ChannelLane lane) {
        metrics.cancelled(lane.channel);
        return finish(job, null, JobState.CANCELLED, clock.millis(), null);
    }

    private CompletableFuture<Void> deliver(NotifyJob job, ChannelLane lane) {
        return destination(job, lane).thenComposeAsync(target -> {
            long now = clock.millis();
            if (target.destination == null) {
                Attempt attempt = new Attempt(job.nextAttemptNumber(), now, 0, SendResult.Outcome.PERMANENT, 0, target.missing);
                metrics.dead(lane.channel);
                return finish(job, attempt, JobState.DEAD, now, target.missing);
            }
            CircuitBreaker breaker = lane.breakers.of(lane.notifier.endpointKey(target.destination));
            CircuitBreaker.Permit permit = breaker.tryAcquire(now);
            if (!permit.allowed()) {
                return postpone(job, lane, breaker.reopensAt());
            }
            return attempt(job, lane, target, breaker, permit);
        }, executor);
    }

    /** Where the job goes: its explicit target, or its user's usable contact for the channel. */
    private CompletableFuture<Target> destination(NotifyJob job, ChannelLane lane) {
        if (job.destination() != null) {
            return CompletableFuture.completedFuture(new Target(job.destination(), false, null));
        }
        if (job.userId() == null) {
            return CompletableFuture.completedFuture(new Target(null, false, "no destination and no user"));
        }
        return store.contacts(job.userId()).thenApply(contacts -> {
            Optional<String> disabled = contacts.map(c -> c.disabled().get(lane.channel));
            if (disabled.isPresent()) {
                return new Target(null, true, "the " + lane.channel + " contact of user " + job.userId() + " is disabled: "
                        + disabled.get());
            }
            Destination d = contacts.map(c -> c.usable(lane.channel)).orElse(null);
            return d != null ? new Target(d, true, null)
                    : new Target(null, true, "no " + lane.channel + " contact for user " + job.userId());
        });
    }

    /**
     * The endpoint's circuit is open: the job waits for it without an attempt being counted. A fallback stays
     * {@code WAITING_ACK} (its ack check passed, but an ack that arrives meanwhile must still cancel it). One
     * that would wait past its deadline dies now.
     */
    private CompletableFuture<Void> postpone(NotifyJob job, ChannelLane lane, long reopensAt) {
        String reason = "circuit open: the endpoint kept failing; next try at " + Instant.ofEpochMilli(reopensAt);
        if (reopensAt >= job.deadline()) {
            metrics.dead(lane.channel);
            String last = lastFailure(job);
            return finish(job, null, JobState.DEAD, clock.millis(),
                    (last != null ? last + " (" : "(") + "circuit open until after the deadline)");
        }
        metrics.postponed(lane.channel);
        return finish(job, null, job.state(), reopensAt, reason).thenRun(() -> retryAt.accept(reopensAt));
    }

    private CompletableFuture<Void> attempt(NotifyJob job, ChannelLane lane, Target target, CircuitBreaker breaker,
                                            CircuitBreaker.Permit permit) {
        long startedAt = clock.millis();
        long t0 = System.nanoTime();
        CompletableFuture<SendResult> sent;
        try {
            sent = lane.notifier.send(job.content(), target.destination);
            if (sent == null) {
                sent = CompletableFuture.failedFuture(new NullPointerException("send returned null"));
            }
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        long timeoutMillis = lane.policy.attemptTimeout().toMillis();
        // copy(): the timeout completes our view of the attempt, not the notifier's own future.
        return sent.copy().orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .handleAsync((result, error) -> outcome(job, lane, result, error), executor)
                .thenCompose(result -> record(job, lane, target, breaker, permit, result, startedAt, System.nanoTime() - t0));
    }

    private SendResult outcome(NotifyJob job, ChannelLane lane, SendResult result, Throwable error) {
        if (error == null) {
            return result != null ? result : SendResult.retry("notifier returned no result");
        }
        Throwable cause = rootCause(error);
        if (cause instanceof TimeoutException) {
            return SendResult.retry("timed out after " + Durations.format(lane.policy.attemptTimeout()));
        }
        // WARN once per job (its first attempt on record), DEBUG on its retries: a broken notifier must be
        // noticed without a log line per attempt. The class only: the message may quote a secret.
        if (job.attemptCount() == 0) {
            log.warn("notification {} ({}): the notifier failed with {}; treated as a retryable failure",
                    job.id(), lane.channel, cause.getClass().getName());
        } else {
            log.debug("notification {} ({}): the notifier failed again with {}", job.id(), lane.channel, cause.getClass().getName());
        }
        return SendResult.retry("notifier error: " + cause.getClass().getSimpleName());
    }

    private CompletableFuture<Void> record(NotifyJob job, ChannelLane lane, Target target, CircuitBreaker breaker,
                                           CircuitBreaker.Permit permit, SendResult result, long startedAt, long nanos) {
        if (abandoned.getAsBoolean()) {
            return CompletableFuture.completedFuture(null);
        }
        long now = clock.millis();
        SendResult.Outcome outcome = result.outcome();
        if (breaker.record(permit, outcome == SendResult.Outcome.RETRY, now)) {
            metrics.circuitOpened(lane.channel);
            log.info("notification channel {}: an endpoint's circuit opened after delivery {} failed", lane.channel, job.id());
        }
        int number = job.attemptCount() + 1; // counts against the retry budget, which a dead-letter retry renews
        String detail = outcome == SendResult.Outcome.OK ? null
                : result.detail() != null ? result.detail() : outcome.name().toLowerCase(java.util.Locale.ROOT);
        Attempt attempt = new Attempt(job.nextAttemptNumber(), startedAt, nanos / 1_000_000, outcome, result.statusCode(), detail);
        switch (outcome) {
            case OK -> {
                metrics.sent(lane.channel, nanos);
                return finish(job, attempt, JobState.SENT, now, null);
            }
            case RETRY -> {
                metrics.failed(lane.channel, outcome);
                RetryPolicy retry = lane.policy.retry();
                long next = retry.nextAttemptAt(number, now, job.deadline(), result.retryAfter(), ThreadLocalRandom.current());
                if (next == RetryPolicy.NO_MORE_ATTEMPTS) {
                    metrics.dead(lane.channel);
                    String why = number >= retry.maxAttempts() ? " (gave up after " + number + " attempts)"
                            : " (the next attempt would pass the deadline)";
                    return finish(job, attempt, JobState.DEAD, now, detail + why);
                }
                metrics.retried(lane.channel);
                return finish(job, attempt, JobState.PENDING, next, detail).thenRun(() -> retryAt.accept(next));
            }
            case PERMANENT -> {
                metrics.failed(lane.channel, outcome);
                metrics.dead(lane.channel);
                return finish(job, attempt, JobState.DEAD, now, detail);
            }
            default -> {
                metrics.failed(lane.channel, outcome);
                metrics.dead(lane.channel);
                CompletableFuture<Void> dead = finish(job, attempt, JobState.DEAD, now, detail);
                if (!target.fromContact) {
                    return dead;
                }
                return dead.thenCompose(v -> store.disableContact(job.userId(), lane.channel, detail))
                        .thenRun(() -> log.warn("contact disabled: the {} contact of user {} answered {} to delivery {} (message {});"
                                        + " later deliveries to it are dead letters until the user's contacts are written again",
                                lane.channel, job.userId(), logSafe(detail), job.id(), job.messageId()));
            }
        }
    }

    private CompletableFuture<Void> finish(NotifyJob job, Attempt attempt, JobState next, long nextDueAt, String lastError) {
        if (abandoned.getAsBoolean()) {
            return CompletableFuture.completedFuture(null);
        }
        return store.complete(job.id(), attempt, next, nextDueAt, lastError).thenAccept(applied -> {
            if (!applied) {
                log.debug("notification {}: no longer pending (cancelled or deleted meanwhile), {} not recorded", job.id(), next);
            } else if (next == JobState.DEAD) {
                int attempts = job.attemptCount() + (attempt == null ? 0 : 1);
                log.warn("dead letter: delivery {} ({}) of message {}{} after {} attempt(s): {}", job.id(), job.channel(), job.messageId(),
                        job.userId() == null ? " to an explicit target" : " to user " + job.userId(), attempts, logSafe(lastError));
            }
        });
    }

    /**
     * A failure detail fit for the log: details hold no destination by contract, but one quoting a URL (an
     * exception's message) keeps only its scheme and host: robot URLs carry their token in the path or query,
     * and any URL may carry a user:password.
     */
    static String logSafe(String detail) {
        return detail == null ? "(no detail)" : URL.matcher(detail).replaceAll("$1://$2/…");
    }


    /** The last attempt's error: {@code lastError} may be a postponement note rather than a failure. */
    private static String lastFailure(NotifyJob job) {
        return job.attempts().isEmpty() ? null : job.attempts().getLast().error();
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A resolved destination; {@code missing} says why there is none. */
    private record Target(Destination destination, boolean fromContact, String missing) { }
}
