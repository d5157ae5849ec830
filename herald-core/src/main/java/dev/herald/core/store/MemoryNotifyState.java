package dev.herald.core.store;

import dev.herald.core.notify.Attempt;
import dev.herald.core.notify.Contacts;
import dev.herald.core.notify.DeadLetterQuery;
import dev.herald.core.notify.Destination;
import dev.herald.core.notify.JobState;
import dev.herald.core.notify.NotifyJob;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The channel deliveries and contacts of a {@link MemoryMessageStore}. Not thread-safe: the store calls it
 * under its one lock. Jobs are immutable {@link NotifyJob} records replaced on every change; the lease is
 * kept beside them because it is the store's bookkeeping, not part of the job.
 */
final class MemoryNotifyState {
    private static final Comparator<Leased> DUE_ORDER =
            Comparator.comparingLong((Leased l) -> l.job.dueAt()).thenComparing(l -> l.job.id());

    /** Every job by id; ids are ULIDs, so this is creation order too. */
    private final TreeMap<String, Leased> jobs = new TreeMap<>();
    /** The jobs a claim may take (PENDING, WAITING_ACK) by channel: polling does not walk finished jobs and dead letters. */
    private final Map<String, Map<String, Leased>> live = new HashMap<>();
    /** The dead letters by id: listing and counting them does not walk every job. */
    private final TreeMap<String, Leased> dead = new TreeMap<>();
    /** Job ids by message, in the order they were recorded. */
    private final Map<String, List<String>> byMessage = new HashMap<>();
    private final Map<String, Contacts> contacts = new HashMap<>();

    /** Records jobs; one whose id is already stored is ignored. */
    void add(List<NotifyJob> added) {
        for (NotifyJob job : added) {
            Leased l = new Leased(job);
            if (jobs.putIfAbsent(job.id(), l) == null) {
                byMessage.computeIfAbsent(job.messageId(), m -> new ArrayList<>()).add(job.id());
                index(l);
            }
        }
    }

    List<NotifyJob> claimDue(String channel, long now, long leaseUntil, int limit) {
        List<Leased> due = new ArrayList<>();
        for (Leased l : live.getOrDefault(channel, Map.of()).values()) {
            NotifyJob job = l.job;
            if (job.dueAt() <= now && l.leaseUntil <= now) {
                due.add(l);
            }
        }
        due.sort(DUE_ORDER);
        List<NotifyJob> claimed = new ArrayList<>(Math.min(limit, due.size()));
        for (Leased l : due.subList(0, Math.min(limit, due.size()))) {
            l.leaseUntil = leaseUntil;
            claimed.add(l.job);
        }
        return claimed;
    }

    boolean complete(String jobId, Attempt attempt, JobState next, long nextDueAt, String lastError) {
        Leased l = jobs.get(jobId);
        if (l == null || !pending(l.job.state())) {
            return false;
        }
        NotifyJob j = l.job;
        List<Attempt> attempts = j.attempts();
        int count = j.attemptCount();
        if (attempt != null) {
            attempts = new ArrayList<>(attempts);
            attempts.add(attempt);
            attempts = attempts.subList(Math.max(0, attempts.size() - NotifyJob.MAX_KEPT_ATTEMPTS), attempts.size());
            count++;
        }
        replace(l, new NotifyJob(j.id(), j.messageId(), j.channel(), j.userId(), j.destination(), j.content(), j.createdAt(),
                nextDueAt, j.deadline(), next, attempts, count, lastError));
        l.leaseUntil = 0;
        return true;
    }

    int cancelFallbacks(String messageId, String userId) {
        int cancelled = 0;
        for (String id : byMessage.getOrDefault(messageId, List.of())) {
            Leased l = jobs.get(id);
            if (l.job.state() == JobState.WAITING_ACK && userId.equals(l.job.userId())) {
                replace(l, withState(l.job, JobState.CANCELLED));
                cancelled++;
            }
        }
        return cancelled;
    }

    List<NotifyJob> jobsOf(String messageId) {
        return byMessage.getOrDefault(messageId, List.of()).stream().sorted().map(id -> jobs.get(id).job).toList();
    }

    Optional<NotifyJob> job(String jobId) {
        Leased l = jobs.get(jobId);
        return l == null ? Optional.empty() : Optional.of(l.job);
    }

    List<NotifyJob> deadLetters(DeadLetterQuery q) {
        Map<String, Leased> older = q.beforeId() == null ? dead.descendingMap() : dead.headMap(q.beforeId(), false).descendingMap();
        List<NotifyJob> page = new ArrayList<>();
        for (Leased l : older.values()) {
            if (matchesDead(l.job, q.channel(), q.userId(), q.messageId())) {
                page.add(l.job);
                if (page.size() == q.limit()) {
                    break;
                }
            }
        }
        return page;
    }

    long countDeadLetters(String channel, String userId, String messageId) {
        if (channel == null && userId == null && messageId == null) {
            return dead.size();
        }
        return dead.values().stream().filter(l -> matchesDead(l.job, channel, userId, messageId)).count();
    }

    private static boolean matchesDead(NotifyJob j, String channel, String userId, String messageId) {
        return matches(channel, j.channel()) && matches(userId, j.userId()) && matches(messageId, j.messageId());
    }

    boolean retryDead(String jobId, long now, long deadline) {
        Leased l = jobs.get(jobId);
        if (l == null || l.job.state() != JobState.DEAD) {
            return false;
        }
        NotifyJob j = l.job;
        replace(l, new NotifyJob(j.id(), j.messageId(), j.channel(), j.userId(), j.destination(), j.content(), j.createdAt(),
                now, deadline, JobState.PENDING, j.attempts(), 0, j.lastError()));
        l.leaseUntil = 0;
        return true;
    }

    boolean deleteDead(String jobId) {
        Leased l = jobs.get(jobId);
        if (l == null || l.job.state() != JobState.DEAD) {
            return false;
        }
        remove(l.job);
        return true;
    }

    void putContacts(String userId, Contacts c) {
        if (c.destinations().isEmpty()) {
            contacts.remove(userId);
        } else {
            contacts.put(userId, new Contacts(c.destinations(), Map.of(), c.updatedAt()));
        }
    }

    Optional<Contacts> contacts(String userId) {
        return Optional.ofNullable(contacts.get(userId));
    }

    boolean deleteContacts(String userId) {
        return contacts.remove(userId) != null;
    }

    void disableContact(String userId, String channel, String reason) {
        Contacts c = contacts.get(userId);
        Destination d = c == null ? null : c.destinations().get(channel);
        if (d != null) {
            Map<String, String> disabled = new LinkedHashMap<>(c.disabled());
            disabled.put(channel, reason);
            contacts.put(userId, new Contacts(c.destinations(), disabled, c.updatedAt()));
        }
    }

    int purgeFinished(long before) {
        List<NotifyJob> finished = new ArrayList<>();
        for (Leased l : jobs.values()) {
            NotifyJob j = l.job;
            if (j.state().isFinal() && j.dueAt() < before && j.createdAt() < before) {
                finished.add(j);
            }
        }
        finished.forEach(this::remove);
        return finished.size();
    }

    /** Moves a job to its new version, keeping {@link #live} and {@link #dead} in step with its state. */
    private void replace(Leased l, NotifyJob next) {
        unindex(l);
        l.job = next;
        index(l);
    }

    private void index(Leased l) {
        if (pending(l.job.state())) {
            live.computeIfAbsent(l.job.channel(), c -> new HashMap<>()).put(l.job.id(), l);
        } else if (l.job.state() == JobState.DEAD) {
            dead.put(l.job.id(), l);
        }
    }

    private void unindex(Leased l) {
        Map<String, Leased> ofChannel = live.get(l.job.channel());
        if (ofChannel != null && ofChannel.remove(l.job.id()) != null && ofChannel.isEmpty()) {
            live.remove(l.job.channel());
        }
        dead.remove(l.job.id());
    }

    private void remove(NotifyJob j) {
        unindex(jobs.get(j.id()));
        jobs.remove(j.id());
        List<String> ofMessage = byMessage.get(j.messageId());
        ofMessage.remove(j.id());
        if (ofMessage.isEmpty()) {
            byMessage.remove(j.messageId());
        }
    }

    private static boolean pending(JobState state) {
        return state == JobState.PENDING || state == JobState.WAITING_ACK;
    }

    private static boolean matches(String filter, String value) {
        return filter == null || filter.equals(value);
    }

    private static NotifyJob withState(NotifyJob j, JobState state) {
        return new NotifyJob(j.id(), j.messageId(), j.channel(), j.userId(), j.destination(), j.content(), j.createdAt(),
                j.dueAt(), j.deadline(), state, j.attempts(), j.attemptCount(), j.lastError());
    }

    /** A job and the lease a {@code claimDue} put on it (0: none). */
    private static final class Leased {
        NotifyJob job;
        long leaseUntil;

        Leased(NotifyJob job) {
            this.job = job;
        }
    }
}
