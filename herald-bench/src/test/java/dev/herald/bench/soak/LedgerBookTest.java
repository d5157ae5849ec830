package dev.herald.bench.soak;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

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
        assertThat(book.acknowledgedBefore("ledger-1", "01D")).isEqualTo("01C");
        assertThat(book.acknowledgedBefore("ledger-1", "01A")).isNull();
        assertThat(book.duplicates()).isEqualTo(1);
        assertThat(book.outOfOrder()).isEqualTo(1);
        assertThat(book.unacknowledged()).isEqualTo(1);
        assertThat(book.since("ledger-1")).isEqualTo("01Z");
        assertThat(book.acknowledgedCount()).isEqualTo(4);
        assertThat(book.receipts()).isEqualTo(5);
    }
}
