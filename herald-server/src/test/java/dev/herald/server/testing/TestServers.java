package dev.herald.server.testing;

import dev.herald.core.broker.Broker;
import dev.herald.server.config.Setting;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** For tests that start several servers: starts them and closes every one in {@link #close()} ({@code @AfterEach}). */
public final class TestServers implements AutoCloseable {
    private final List<TestServer> started = new ArrayList<>();

    public TestServer devMode(Map<Setting, String> overrides) {
        return track(TestServer.devMode(overrides));
    }

    public TestServer devMode(Map<Setting, String> overrides, Broker broker) {
        return track(TestServer.devMode(overrides, broker));
    }

    /** Dev mode over the given store (e.g. a {@link SwitchableStore}). */
    public TestServer devMode(Map<Setting, String> overrides, dev.herald.core.store.MessageStore store) {
        return track(TestServer.devMode(overrides, store));
    }

    public TestServer withAuth(Map<Setting, String> overrides) {
        return track(TestServer.withAuth(overrides));
    }

    private TestServer track(TestServer server) {
        started.add(server);
        return server;
    }

    @Override
    public void close() {
        started.forEach(TestServer::close);
    }
}
