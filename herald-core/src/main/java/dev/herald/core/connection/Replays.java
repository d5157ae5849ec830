package dev.herald.core.connection;

import dev.herald.core.LogSafe;
import dev.herald.core.delivery.RecipientStore;
import dev.herald.core.message.Message;
import dev.herald.core.message.Target;
import dev.herald.core.protocol.ServerFrames;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import dev.herald.core.session.Session;
import dev.herald.core.session.StreamCursors;
import dev.herald.core.store.ReplayFrom;
import dev.herald.core.store.ReplayRequest;
import dev.herald.core.store.StoredMessage;
import dev.herald.core.store.StreamPosition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Sends one connection what it missed of some streams, and joins that to the live flow by the read rule of
 * {@link dev.herald.core.session.StreamCursors} (the connection's replay state): {@link #begin} before the hub
 * knows the connection for the streams (their live messages wait from then on), {@link #run} to read and send.
 * Each replay reads its stream up to the head it names; when it has been sent, the stream's waiting live messages
 * above the head go out and the rest are dropped. The streams are read at once and sent one after the other in
 * the given order (order is promised per stream; a fixed order between them is only tidier). Once all are sent,
 * and before any waiting live message, a {@code positions} frame names the head of each stream: exactly where the
 * connection then stands in it (everything at or below came before the frame, everything above comes after).
 *
 * <p>A replay that fails closes the connection (4500: reconnect and resume later), so a client is never left with
 * a hole it does not know about. Thread-safe (the sends go through the session's cursors).
 */
final class Replays implements StreamCursors.HoleFiller {
    private static final Logger log = LoggerFactory.getLogger(Replays.class);

    /**
     * How long a hole may wait for the message it lacks to arrive live before the store is read: longer than the
     * usual skew between two nodes' fan-outs of one stream (a Redis hop, well under a millisecond to a few), short
     * enough that a message lost for good is not noticeably late.
     */
    static final Duration FILL_GRACE = Duration.ofMillis(50);
    private static final Executor GRACE = CompletableFuture.delayedExecutor(FILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);

    private final BaseSession session;
    private final RecipientStore recipientStore;

    Replays(BaseSession session, RecipientStore recipientStore) {
        this.session = session;
        this.recipientStore = recipientStore;
    }

    /**
     * One stream to replay: where from, which of its messages ({@code pending}), the cursor as the client sent it (for
     * a {@code gap} frame), and whether its deliveries are receipts (the user's own inbox; broadcasts are not).
     */
    record Stream(Target stream, ReplayFrom from, ReplayRequest.Pending pending, String cursorText, boolean tracked) { }

    /** Live messages of these streams wait from now until their replay has been sent. */
    void begin(List<Stream> streams) {
        for (Stream s : streams) {
            session.cursors().beginReplay(s.stream());
        }
    }

    /**
     * Reads and sends the streams ({@link #begin} was called for each). {@code sentIds}, when given, is shared by the
     * streams of one {@code subscribe}, so a message published to several of its topics is replayed once.
     * {@code positions}, when given, makes the frame that names each stream's head (in the order of {@code streams})
     * once the replayed messages are sent; seed connections never get it.
     */
    void run(List<Stream> streams, Set<String> sentIds, Function<List<StreamPosition>, byte[]> positions) {
        List<CompletableFuture<RecipientStore.Missed>> reads = new ArrayList<>(streams.size());
        for (Stream s : streams) {
            reads.add(recipientStore.missed(s.stream(), s.from(), s.pending()));
        }
        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).whenComplete((v, readError) -> {
            Throwable error = readError;
            List<StreamPosition> heads = new ArrayList<>(streams.size());
            for (int i = 0; i < streams.size() && error == null; i++) {
                try {
                    RecipientStore.Missed found = reads.get(i).join();
                    send(streams.get(i), found, sentIds);
                    heads.add(found.head());
                } catch (RuntimeException e) {
                    error = e;
                }
            }
            if (error == null && positions != null && session.protocol() != Session.Protocol.SEED) {
                // before the waiting live messages go out: the client's cursors then move from exactly these heads
                session.send(positions.apply(heads));
            }
            for (int i = 0; i < streams.size(); i++) {
                // always, or the stream's live messages would wait for good
                session.cursors().endReplay(streams.get(i).stream(), i < heads.size() ? heads.get(i) : null);
            }
            if (error != null) {
                log.warn("connection {}: replay failed: {}", session.id(), LogSafe.value(error));
                session.close(CloseReason.SERVER_ERROR);
            }
        });
    }

    /**
     * Fills a hole the connection's cursors found in {@code stream} (they count the replay as begun): replays the
     * stream after {@code after} ({@code null}: from its beginning) up to its head, then the live messages that
     * waited go out. Every message of the stream, receipts for the user's own inbox; no positions frame (each
     * replayed message names its position). A gap (messages lost to the ttl or the cap) is reported as on login.
     * (The cursors hold this object as their filler itself: a method reference would be one more object per connection.)
     */
    @Override
    public void fill(Target stream, StreamPosition after) {
        // wait a moment first: the message overtaken (another node's, a few milliseconds behind) usually arrives by
        // then and closes the hole with no store read; only a hole still open after FILL_GRACE is read
        CompletableFuture.runAsync(() -> {
            if (session.isClosed()) {
                session.cursors().endReplay(stream, null);
                return;
            }
            if (!session.cursors().closeHoleFromHeld(stream)) {
                Stream s = new Stream(stream, after == null ? ReplayFrom.BEGINNING : new ReplayFrom(null, after),
                        ReplayRequest.Pending.ALL, ReplayFrom.cursorOf(after), stream instanceof Target.User);
                run(List.of(s), null, null);
            }
        }, GRACE);
    }

    /**
     * Where the client stands in the stream after a gap, before the replayed messages that follow it: just before
     * the first of them, or at the head when none follows (in the stream's current epoch, which may be new).
     */
    private static String continueFrom(Target stream, RecipientStore.Missed found) {
        if (found.messages().isEmpty()) {
            return ReplayFrom.cursorOf(found.head());
        }
        StreamPosition first = found.messages().get(0).position(stream);
        return first.position() == 1 ? ReplayFrom.START : new StreamPosition(first.position() - 1, first.epoch()).toString();
    }

    private void send(Stream s, RecipientStore.Missed found, Set<String> sentIds) {
        boolean seed = session.protocol() == Session.Protocol.SEED;
        if (!seed && found.gap()) {
            session.send(ServerFrames.gap(s.cursorText(), s.stream(), continueFrom(s.stream(), found)));
        }
        for (StoredMessage m : found.messages()) {
            Message message = RecipientStore.toMessage(m);
            if (sentIds != null && !sentIds.add(message.id())) {
                continue;
            }
            byte[] frame = seed ? message.rawFrame() : message.envelopeFrame(s.stream());
            if (session.cursors().replayed(s.stream(), message.position(s.stream()), message.id(), frame, s.tracked())) {
                recipientStore.countReplayed();
            }
        }
    }
}
