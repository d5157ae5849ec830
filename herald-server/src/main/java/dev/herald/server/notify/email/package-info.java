/**
 * The {@code email} notification channel: {@link dev.herald.server.notify.email.EmailNotifier} sends one mail per
 * delivery through one SMTP relay, configured by {@link dev.herald.server.notify.email.SmtpSettings}:
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code email.smtp-host}</td><td>SMTP relay host; the channel is enabled when it is set</td><td>none</td></tr>
 *   <tr><td>{@code email.smtp-port}</td><td>SMTP relay port</td><td>587 (465 for {@code implicit}, 25 for {@code none})</td></tr>
 *   <tr><td>{@code email.tls}</td><td>{@code starttls} (required), {@code starttls-optional}, {@code implicit} (SMTPS), {@code none}</td><td>{@code starttls}</td></tr>
 *   <tr><td>{@code email.username} / {@code email.password}</td><td>AUTH PLAIN/LOGIN credentials, both or neither; the password is a secret</td><td>none (no AUTH)</td></tr>
 *   <tr><td>{@code email.from}</td><td>sender address (envelope and {@code From:}); required with the host</td><td>none</td></tr>
 *   <tr><td>{@code email.from-name}</td><td>sender display name</td><td>none</td></tr>
 *   <tr><td>{@code email.connect-timeout}</td><td>TCP connect and TLS handshake timeout</td><td>10s</td></tr>
 *   <tr><td>{@code email.send-timeout}</td><td>bound on one whole attempt</td><td>30s</td></tr>
 *   <tr><td>{@code email.pool-size}</td><td>most open connections to the relay</td><td>4</td></tr>
 *   <tr><td>{@code email.tls-trusted-certificates}</td><td>PEM file of certificates to trust instead of the JVM's trust store</td><td>none</td></tr>
 *   <tr><td>{@code email.tls-trust-all-insecure}</td><td>UNSAFE, tests only: accept any certificate and host name</td><td>false</td></tr>
 * </table>
 */
package dev.herald.server.notify.email;
