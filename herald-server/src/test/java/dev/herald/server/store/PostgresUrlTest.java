package dev.herald.server.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresUrlTest {
    @Test
    void theLibpqFormMovesUserAndPasswordOutOfTheUrl() {
        PostgresUrl url = PostgresUrl.parse("postgresql://herald:p%40ss+word@db.example:6432/push?sslmode=require&currentSchema=herald");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6432/push?sslmode=require&currentSchema=herald");
        assertThat(url.user()).isEqualTo("herald");
        assertThat(url.password()).isEqualTo("p@ss+word");
        assertThat(url.schema()).isEqualTo("herald");
        assertThat(url.display()).isEqualTo("postgresql://herald@db.example:6432/push?sslmode=require&currentSchema=herald");
        assertThat(url.toString()).doesNotContain("p%40ss").doesNotContain("word");
        assertThat(url.hasParam("sslmode")).isTrue();
        assertThat(url.hasParam("socketTimeout")).isFalse();
    }

    @Test
    void postgresSchemeSeveralHostsAndNoUserAreFine() {
        PostgresUrl url = PostgresUrl.parse("postgres://db1:5432,db2:5432/push");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db1:5432,db2:5432/push");
        assertThat(url.user()).isNull();
        assertThat(url.password()).isNull();
        assertThat(url.schema()).isNull();
        assertThat(PostgresUrl.parse("postgresql:///push").jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/push");
    }

    @Test
    void theDriversFormIsPassedOnWithThePasswordMaskedInTheDisplay() {
        PostgresUrl url = PostgresUrl.parse("jdbc:postgresql://db:5432/push?user=herald&password=secret&currentSchema=s1");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/push?user=herald&password=secret&currentSchema=s1");
        assertThat(url.display()).isEqualTo("postgresql://db:5432/push?user=herald&password=***&currentSchema=s1");
        assertThat(url.schema()).isEqualTo("s1");
    }

    @Test
    void otherSchemesAreNotPostgres() {
        assertThat(PostgresUrl.matches("mysql://db/push")).isFalse();
        assertThatThrownBy(() -> PostgresUrl.parse("mysql://u:secret@db/push")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("mysql://u:***@db/push");
    }
}
