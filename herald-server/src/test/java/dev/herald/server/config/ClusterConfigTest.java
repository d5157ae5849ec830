package dev.herald.server.config;

import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code broker} and {@code cluster.*}: named defaults, a cluster only on a shared store, secrets never printed. */
class ClusterConfigTest {
    private static HeraldConfig build(Map<Setting, String> flags) {
        return new ConfigSources().flags(new EnumMap<>(flags)).build();
    }

    @Test
    void by_default_a_node_runs_alone_on_the_memory_broker() {
        ClusterConfig cluster = HeraldConfig.defaults().cluster();
        assertThat(cluster).isEqualTo(ClusterConfig.defaults());
        assertThat(cluster.clustered()).isFalse();
        assertThat(cluster.shards()).isEqualTo(ClusterConfig.DEFAULT_SHARDS);
        assertThat(Setting.CLUSTER_SHARDS.defaultValue()).isEqualTo(Integer.toString(ClusterConfig.DEFAULT_SHARDS));
        assertThat(Setting.CLUSTER_MAX_IN_FLIGHT.defaultValue()).isEqualTo(Integer.toString(ClusterConfig.DEFAULT_MAX_IN_FLIGHT));
        assertThat(Setting.CLUSTER_CHANNEL_PREFIX.defaultValue()).isEqualTo(ClusterConfig.DEFAULT_CHANNEL_PREFIX);
        assertThat(cluster.heartbeat()).isEqualTo(ClusterConfig.DEFAULT_HEARTBEAT).hasSeconds(2);
        assertThat(cluster.nodeTtl()).isEqualTo(ClusterConfig.DEFAULT_NODE_TTL).hasSeconds(6);
    }

    @Test
    void a_node_ttl_shorter_than_two_heartbeats_is_refused() {
        assertThatThrownBy(() -> build(Map.of(Setting.CLUSTER_HEARTBEAT, "2s", Setting.CLUSTER_NODE_TTL, "3s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cluster.node-ttl: at least twice cluster.heartbeat");
        assertThat(build(Map.of(Setting.CLUSTER_HEARTBEAT, "100ms", Setting.CLUSTER_NODE_TTL, "500ms")).cluster().nodeTtl())
                .hasMillis(500);
    }

    @Test
    void a_redis_broker_with_a_postgresql_store_makes_a_cluster_node() {
        HeraldConfig config = build(Map.of(Setting.BROKER, "redis://127.0.0.1:6379",
                Setting.STORE, "postgresql://herald@db:5432/herald", Setting.CLUSTER_SHARDS, "32"));
        assertThat(config.cluster().clustered()).isTrue();
        assertThat(config.cluster().shards()).isEqualTo(32);
    }

    @Test
    void listen_notify_on_postgresql_is_a_broker_too_and_its_password_is_never_printed() {
        HeraldConfig onStore = build(Map.of(Setting.BROKER, "postgres", Setting.STORE, "postgresql://herald@db:5432/herald"));
        assertThat(onStore.cluster().clustered()).isTrue();
        HeraldConfig elsewhere = build(Map.of(Setting.BROKER, "postgresql://herald:hunter2hunter2@db2:5432/herald",
                Setting.STORE, "postgresql://herald@db:5432/herald"));
        assertThat(elsewhere.describe()).doesNotContain("hunter2hunter2");
        assertThatThrownBy(() -> build(Map.of(Setting.BROKER, "postgres", Setting.STORE, "sqlite")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broker: a cluster needs a store its nodes share");
    }

    @Test
    void a_node_refuses_a_cluster_broker_on_a_store_of_its_own_with_a_one_line_reason() {
        for (String store : new String[] {"sqlite", "sqlite:/tmp/x.db", "memory"}) {
            assertThatThrownBy(() -> build(Map.of(Setting.BROKER, "redis://127.0.0.1:6379", Setting.STORE, store)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("broker: a cluster needs a store its nodes share: set store to postgresql://")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void a_broker_that_is_neither_memory_nor_a_redis_url_is_refused_without_printing_its_password() {
        assertThatThrownBy(() -> build(Map.of(Setting.BROKER, "kafka://user:hunter2hunter2@k:9092",
                Setting.STORE, "postgresql://h/db")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broker: ")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> build(Map.of(Setting.BROKER, "redis://:pw@", Setting.STORE, "postgresql://h/db")))
                .hasMessageContaining("names no host");
        assertThatThrownBy(() -> build(Map.of(Setting.CLUSTER_SHARDS, "0")))
                .hasMessageStartingWith("cluster.shards: ");
        assertThatThrownBy(() -> build(Map.of(Setting.CLUSTER_CHANNEL_PREFIX, "has space")))
                .hasMessageStartingWith("cluster.channel-prefix: ");
    }

    @Test
    void the_configuration_as_printed_masks_the_broker_password() {
        HeraldConfig config = build(Map.of(Setting.BROKER, "redis://:hunter2hunter2@10.0.0.5:6379/0",
                Setting.STORE, "postgresql://h/db"));
        assertThat(config.describe()).contains("broker = redis://:***@10.0.0.5:6379/0").doesNotContain("hunter2");
    }
}
