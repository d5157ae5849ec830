package dev.herald.client;

import java.util.List;

/**
 * One page of dead letters, newest first.
 *
 * @param next the cursor for {@link DeadLetterQuery#before} to read the next page, {@code null} on the last page
 */
public record DeadLetterPage(List<Delivery> deadLetters, String next) {
    public DeadLetterPage {
        deadLetters = List.copyOf(deadLetters);
    }

    public boolean hasNext() {
        return next != null;
    }
}
