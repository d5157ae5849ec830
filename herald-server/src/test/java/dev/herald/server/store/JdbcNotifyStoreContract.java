package dev.herald.server.store;

import dev.herald.core.notify.Contacts;
import dev.herald.core.notify.Destination;
import dev.herald.core.notify.JobState;
import dev.herald.core.notify.Notification;
import dev.herald.core.notify.NotifyJob;
import dev.herald.core.notify.NotifyStore;
import dev.herald.core.notify.NotifyStoreContract;
import dev.herald.core.notify.SendResult;
import dev.herald.core.store.Appended;
import dev.herald.core.store.StoreUnavailableException;
import dev.herald.core.store.StoredMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the database-backed notify stores promise beyond {@link NotifyStoreContract}: deliveries and contacts
 * survive a restart, and a job that cannot be written takes its message down with it. Each database's test extends
 * this class (several nodes on one database: {@code PostgresNotifyStoreTest}).
 */
abstract class JdbcNotifyStoreContract extends NotifyStoreContract {

    /** Another store on the database the last {@link #createStore} made (a restart; on PostgreSQL also a second node). */
    protected abstract JdbcMessageStore openAnother() throws Exception;

    @Test
    void deliveriesLeasesAndContactsSurviveARestart() throws Exception {
        NotifyJob pending = job("email", "u1", T0);
        NotifyJob fallback = job(ids.next(T0), "slack", "u1", T0 + MINUTE, true);
        enqueue(pending, fallback);
        await(store.claimDue("email", T0, T0 + HOUR, 10));
        Contacts contacts = new Contacts(Map.of("email", new Destination("email", "ada@example.com", null)), Map.of(), T0);
        await(store.putContacts("u1", contacts));
        await(store.disableContact("u1", "email", "HTTP 410 Gone"));
        messages.close();
        messages = openAnother();
        store = (NotifyStore) messages;

        assertThat(stored(pending.id())).isEqualTo(pending);
        assertThat(stored(fallback.id())).isEqualTo(fallback);
        assertThat(await(store.claimDue("email", T0 + 1, T0 + HOUR, 10))).isEmpty(); // still leased
        assertThat(await(store.claimDue("email", T0 + HOUR, T0 + 2 * HOUR, 10))).containsExactly(pending);
        assertThat(await(store.contacts("u1")).orElseThrow().usable("email")).isNull();
    }

    @Test
    void aJobThatCannotBeWrittenFailsItsMessageWithNothingWritten() {
        String messageId = ids.next(T0);
        NotifyJob good = job(messageId, "email", "u1", T0, false);
        NotifyJob broken = new NotifyJob(ids.next(T0), messageId, "email", "u2", null, null, T0, T0, T0 + HOUR,
                JobState.PENDING, List.of(), 0, null); // no content: it cannot be encoded
        StoredMessage m = new StoredMessage(messageId, T0, T0 + HOUR, "1", List.of("u1", "u2"), List.of(), false, "k", List.of(good, broken));
        assertThatThrownBy(() -> await(messages.append(List.of(m)))).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(StoreUnavailableException.class);
        assertThat(await(store.jobsOf(messageId))).isEmpty();
        assertThat(await(messages.receipt(messageId, T0))).isEmpty();

        // the key was not taken: the corrected message goes through, with its job
        StoredMessage fixed = new StoredMessage(messageId, T0, T0 + HOUR, "1", List.of("u1"), List.of(), false, "k", List.of(good));
        assertThat(await(messages.append(List.of(fixed)))).extracting(Appended::id, Appended::duplicate).containsExactly(tuple(messageId, false));
        assertThat(await(store.jobsOf(messageId))).containsExactly(good);
    }

    @Test
    void aLongNotificationAndItsAttemptsRoundTrip() {
        String id = ids.next(T0);
        String messageId = ids.next(T0);
        String body = "ü ß 😀 \u0000 \\ \" \n".repeat(5_000);
        NotifyJob j = NotifyJob.create(id, messageId, "email", "u1", null,
                new Notification(id, messageId, "u1", T0, "T", body, "<p>" + body + "</p>", body, "{\"text\":\"" + "x".repeat(50_000) + "\"}"),
                T0, T0, T0 + HOUR, false);
        enqueue(j);
        assertThat(await(store.complete(id, attempt(1, SendResult.Outcome.RETRY, "bad \"quote\" \n and 😀"), JobState.PENDING, T0 + 1,
                "x"))).isTrue();
        NotifyJob read = stored(id);
        assertThat(read.content()).isEqualTo(j.content());
        assertThat(read.attempts()).containsExactly(attempt(1, SendResult.Outcome.RETRY, "bad \"quote\" \n and 😀"));
    }
}
