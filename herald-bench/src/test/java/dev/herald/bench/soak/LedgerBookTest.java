package dev.herald.bench.soak;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class LedgerBookTest {
    private final LedgerBook book = new LedgerBook();

    @Test
    void every_acknowledged_id_received_once_in_order_is_a_clean_ledger() {
        book.acknowledged("ledger-0", "01A");
        book.received("ledger-0", "01A");
        book.received("ledger-0", "01B"); // delivered before its answer came back
        book.acknowledged("ledger-0", "01B");

        assertThat(book.missing()).isEmpty();
        assertThat(book.duplicates()).isZero();
        assertThat(book.outOfOrder()).isZero();
        assertThat(book.unacknowledged()).isZero();
        assertThat(book.since("ledger-0")).isEqualTo("01B");
    }

    @Test
    void missing_duplicated_and_reordered_ids_are_counted() {
        for (String id : List.of("01A", "01B", "01C", "01D")) {
            book.acknowledged("ledger-1", id);
        }
        book.received("ledger-1", "01A");
        book.received("ledger-1", "01C");
        book.received("ledger-1", "01C"); // a replay of what was already written
        book.received("ledger-1", "01B"); // after a greater id
        book.received("ledger-1", "01Z"); // never acknowledged

        assertThat(book.missing()).isEqualTo(Map.of("ledger-1", List.of("01D")));
        assertThat(book.duplicates()).isEqualTo(1);
        assertThat(book.outOfOrder()).isEqualTo(1);
        assertThat(book.unacknowledged()).isEqualTo(1);
        assertThat(book.since("ledger-1")).isEqualTo("01Z");
        assertThat(book.acknowledgedCount()).isEqualTo(4);
        assertThat(book.receipts()).isEqualTo(5);
    }

    @Test
    void a_missing_id_the_pull_api_returns_is_replayable_and_one_it_does_not_is_lost_silently() {
        for (String id : List.of("01A", "01B", "01C", "01D")) {
            book.acknowledged("ledger-0", id);
        }
        book.received("ledger-0", "01A");
        book.received("ledger-0", "01D"); // 01B and 01C never came, and no gap frame said why

        // the whole inbox as the pull API pages it: 01C is still there, 01B is not
        LedgerBook.Missing m = book.classify(Map.of("ledger-0", Set.of("01C", "01D")));

        assertThat(m).isEqualTo(new LedgerBook.Missing(1, 0, 1, 0));
        assertThat(m.lost()).isEqualTo(1);
    }

    @Test
    void ids_inside_a_reported_gap_are_lost_to_it_not_silently() {
        for (String id : List.of("01A", "01B", "01C", "01D", "01E", "01F")) {
            book.acknowledged("ledger-0", id);
        }
        book.received("ledger-0", "01A");
        book.gap("ledger-0", "01A"); // a login with since=01A: the cap took messages after it
        book.received("ledger-0", "01D"); // the replay's first: 01B and 01C were in the reported range
        book.received("ledger-0", "01E");

        // 01F is neither received nor stored, after the gap's range: silent
        LedgerBook.Missing m = book.classify(Map.of("ledger-0", Set.of("01D", "01E")));

        assertThat(m).isEqualTo(new LedgerBook.Missing(0, 2, 1, 0));
    }

    @Test
    void a_gap_with_nothing_received_after_it_covers_every_later_id() {
        for (String id : List.of("01A", "01B", "01C")) {
            book.acknowledged("ledger-0", id);
        }
        book.received("ledger-0", "01A");
        book.gap("ledger-0", "01A");

        assertThat(book.classify(Map.of("ledger-0", Set.of()))).isEqualTo(new LedgerBook.Missing(0, 2, 0, 0));
    }

    @Test
    void a_user_whose_inbox_could_not_be_read_leaves_its_ids_unchecked_not_lost() {
        book.acknowledged("ledger-0", "01A");
        book.acknowledged("ledger-1", "01B");

        assertThat(book.classify(Map.of("ledger-1", Set.of()))).isEqualTo(new LedgerBook.Missing(0, 0, 1, 1));
    }

    @Test
    void an_id_is_made_at_the_millisecond_of_its_first_ten_characters() {
        assertThat(LedgerBook.idMillis("01M84KBE4PAF4KCWDQ92K0TFCT")).isEqualTo(1795450845334L); // the protocol doc's example: its ts
        assertThat(LedgerBook.idMillis("short")).isEqualTo(-1);
    }
}
