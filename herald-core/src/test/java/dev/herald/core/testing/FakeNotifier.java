package dev.herald.core.testing;

import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notification;
import dev.herald.core.notify.Notifier;
import dev.herald.core.notify.SendResult;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written notifier with failure switches: it answers every {@link #send} with its current
 * {@link Behaviour} (or the one set for the destination's address), and records each call. Thread-safe.
 *
 * <pre>{@code
 * FakeNotifier webhook = new FakeNotifier("webhook").behave(Behaviour.failFirst(2, Behaviour.retry("HTTP 503")));
 * webhook.behaveFor("https://down.example/hook", Behaviour.hang());
 * }</pre>
 */
public final class FakeNotifier implements Notifier {

    /** What one send answers. */
    @FunctionalInterface
    public interface Behaviour {
        CompletableFuture<SendResult> answer(Call call);

        /** Accepted (HTTP 200). */
        static Behaviour ok() {
            return call -> CompletableFuture.completedFuture(SendResult.ok(200));
        }

        /** A retryable failure (status 503) without {@code Retry-After}. */
        static Behaviour retry(String detail) {
            return retry(detail, null);
        }

        /** A retryable failure (status 503) with the endpoint's {@code Retry-After} ({@code null}: none). */
        static Behaviour retry(String detail, Duration retryAfter) {
            return call -> CompletableFuture.completedFuture(SendResult.retry(detail, 503, retryAfter));
        }

        /** A permanent failure (status 400). */
        static Behaviour permanent(String detail) {
            return call -> CompletableFuture.completedFuture(SendResult.permanent(detail, 400));
        }

        /** The endpoint is gone (HTTP 410). */
        static Behaviour gone() {
            return call -> CompletableFuture.completedFuture(SendResult.gone("HTTP 410 Gone", 410));
        }

        /** Never answers: the future never completes. */
        static Behaviour hang() {
            return call -> new CompletableFuture<>();
        }

        /** {@code send} itself throws (a buggy notifier); the message carries {@code secret} to check it is never shown. */
        static Behaviour throwing(String secret) {
            return call -> {
                throw new IllegalStateException("boom " + secret);
            };
        }

        /** The future fails (a notifier breaking its contract); the message carries {@code secret}. */
        static Behaviour failedFuture(String secret) {
            return call -> CompletableFuture.failedFuture(new IOException("broken pipe " + secret));
        }

        /** The first {@code n} calls answer {@code failure}, later ones succeed. */
        static Behaviour failFirst(int n, Behaviour failure) {
            AtomicInteger left = new AtomicInteger(n);
            return call -> left.getAndDecrement() > 0 ? failure.answer(call) : ok().answer(call);
        }
    }

    /** One recorded {@link #send}. {@code atNanos} is {@link System#nanoTime()} when it was called. */
    public record Call(Notification notification, Destination destination, long atNanos) { }

    private final String channel;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Behaviour> byAddress = new ConcurrentHashMap<>();
    private volatile Behaviour behaviour = Behaviour.ok();

    public FakeNotifier(String channel) {
        this.channel = channel;
    }

    /** Answers every later send with {@code behaviour} (unless one is set for its address). */
    public FakeNotifier behave(Behaviour behaviour) {
        this.behaviour = behaviour;
        return this;
    }

    /** Answers later sends to {@code address} with {@code behaviour}. */
    public FakeNotifier behaveFor(String address, Behaviour behaviour) {
        byAddress.put(address, behaviour);
        return this;
    }

    @Override
    public String channel() {
        return channel;
    }

    @Override
    public Destination validate(Destination destination, String path) {
        return destination;
    }

    @Override
    public CompletableFuture<SendResult> send(Notification notification, Destination destination) {
        Call call = new Call(notification, destination, System.nanoTime());
        calls.add(call);
        return byAddress.getOrDefault(destination.address(), behaviour).answer(call);
    }

    /** Every send so far, in call order. */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public int callCount() {
        return calls.size();
    }

    /** Sends so far to {@code address}. */
    public List<Call> callsTo(String address) {
        return calls.stream().filter(c -> c.destination().address().equals(address)).toList();
    }

    /** Sends so far of delivery {@code deliveryId}. */
    public List<Call> callsOf(String deliveryId) {
        return calls.stream().filter(c -> c.notification().deliveryId().equals(deliveryId)).toList();
    }
}
