package dev.herald.client;

/** Herald accepted the message: its id, and how many connections on the receiving node got it. */
public record Published(String id, int delivered) { }
