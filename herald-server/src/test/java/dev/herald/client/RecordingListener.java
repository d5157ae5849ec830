package dev.herald.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps everything a {@link HeraldSubscriber} reports, with the thread each call ran on. */
final class RecordingListener implements SubscriberListener {
    final List<ReceivedMessage> messages = new CopyOnWriteArrayList<>();
    final List<SubscriberState> states = new CopyOnWriteArrayList<>();
    final List<SubscriberGap> gaps = new CopyOnWriteArrayList<>();
    final List<String> errors = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public void onMessage(ReceivedMessage message) {
        threads.add(Thread.currentThread().getName());
        messages.add(message);
    }

    @Override
    public void onGap(SubscriberGap gap) {
        gaps.add(gap);
    }

    @Override
    public void onState(SubscriberState state) {
        states.add(state);
    }

    @Override
    public void onError(String code, String message) {
        errors.add(code + ": " + message);
    }

    List<String> texts() {
        return messages.stream().map(ReceivedMessage::text).toList();
    }

    List<String> ids() {
        return messages.stream().map(ReceivedMessage::id).toList();
    }

    long opens() {
        return states.stream().filter(s -> s.state() == SubscriberState.Kind.OPEN).count();
    }

    SubscriberState last() {
        return states.isEmpty() ? null : states.get(states.size() - 1);
    }
}
