package dev.herald.server.cluster;

import dev.herald.core.broker.BrokerEnvelope;
import dev.herald.core.message.Message;
import dev.herald.core.message.Target;
import dev.herald.core.store.StreamPosition;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bytes of a {@link BrokerEnvelope} on a Redis channel: the node that published it, its targets, and the whole
 * message with its position (and epoch) in each stream, so a receiving node applies the same read rule
 * ({@code StreamCursors}) as the publishing one. Binary and versioned: a node that reads a version it does not know
 * drops the envelope (its clients get the message by replay) instead of guessing.
 *
 * <pre>
 * version:u8 origin:str id:str timestamp:i64 durable:bool data:bytes raw:bytes
 * targets:u16 { target }  positions:u16 { target position:i64 epoch:str }
 * target = kind:u8 (0 user, 1 topic, 2 all) [name:str]; str = bytes of UTF-8; bytes = length:i32 then the bytes
 * </pre>
 * Stateless and thread-safe.
 */
public final class EnvelopeCodec {
    static final int VERSION = 1;
    private static final int USER = 0;
    private static final int TOPIC = 1;
    private static final int ALL = 2;

    private EnvelopeCodec() { }

    /** An envelope as read from a channel, with the instance that published it. */
    public record Decoded(String origin, BrokerEnvelope envelope) { }

    public static byte[] encode(String origin, BrokerEnvelope envelope) {
        Message m = envelope.message();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 + m.dataJson().length() * 2);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            string(out, origin);
            string(out, m.id());
            out.writeLong(m.timestamp());
            out.writeBoolean(m.durable());
            bytes(out, m.dataJson().getBytes(StandardCharsets.UTF_8));
            bytes(out, m.rawFrame());
            out.writeShort(envelope.targets().size());
            for (Target t : envelope.targets()) {
                target(out, t);
            }
            out.writeShort(m.positions().size());
            for (Map.Entry<Target, StreamPosition> e : m.positions().entrySet()) {
                target(out, e.getKey());
                out.writeLong(e.getValue().position());
                string(out, e.getValue().epoch());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** Reads an envelope; throws {@link IllegalArgumentException} for bytes that are not one of this version. */
    public static Decoded decode(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("envelope version " + version + " (this node reads " + VERSION + ")");
            }
            String origin = string(in);
            String id = string(in);
            long timestamp = in.readLong();
            boolean durable = in.readBoolean();
            String data = new String(bytes(in), StandardCharsets.UTF_8);
            byte[] raw = bytes(in);
            int targetCount = in.readUnsignedShort();
            List<Target> targets = new ArrayList<>(targetCount);
            for (int i = 0; i < targetCount; i++) {
                targets.add(target(in));
            }
            int positionCount = in.readUnsignedShort();
            Map<Target, StreamPosition> positions = new HashMap<>(positionCount * 2);
            for (int i = 0; i < positionCount; i++) {
                Target t = target(in);
                positions.put(t, new StreamPosition(in.readLong(), string(in)));
            }
            if (in.read() != -1) {
                throw new IllegalArgumentException("bytes after the envelope");
            }
            return new Decoded(origin, new BrokerEnvelope(targets, new Message(id, timestamp, data, raw, durable, positions)));
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated envelope", e);
        }
    }

    private static void target(DataOutputStream out, Target t) throws IOException {
        switch (t) {
            case Target.User u -> { out.writeByte(USER); string(out, u.userId()); }
            case Target.Topic topic -> { out.writeByte(TOPIC); string(out, topic.name()); }
            case Target.Everyone e -> out.writeByte(ALL);
        }
    }

    private static Target target(DataInputStream in) throws IOException {
        int kind = in.readUnsignedByte();
        return switch (kind) {
            case USER -> new Target.User(string(in));
            case TOPIC -> new Target.Topic(string(in));
            case ALL -> Target.Everyone.INSTANCE;
            default -> throw new IllegalArgumentException("unknown target kind " + kind);
        };
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        bytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String string(DataInputStream in) throws IOException {
        return new String(bytes(in), StandardCharsets.UTF_8);
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new IllegalArgumentException("a length of " + length + " beyond the envelope");
        }
        return in.readNBytes(length);
    }
}
