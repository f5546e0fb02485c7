package dev.executor.secrets.support;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.executor.common.v1.ConnectionRef;
import dev.executor.common.v1.Principal;
import dev.executor.common.v1.Scope;
import dev.executor.secrets.v1.SecretsProxyGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.restassured.RestAssured;

/** Shared helpers of the service-level tests: readiness, REST creation, a gRPC stub, SQL. */
public final class Fixtures {

    private Fixtures() {
    }

    public static void awaitReady() {
        await().atMost(Duration.ofSeconds(90)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    /** Creates a connection as {@code token}; returns its id. */
    public static String create(String token, Map<String, Object> body) {
        return given().auth().oauth2(token).contentType("application/json").body(body)
                .post("/api/connections")
                .then().statusCode(201).extract().path("id");
    }

    /** A gRPC channel to the service under test (gRPC is served on the HTTP port). */
    public static ManagedChannel channel() {
        return ManagedChannelBuilder.forAddress("127.0.0.1", RestAssured.port).usePlaintext().build();
    }

    public static SecretsProxyGrpc.SecretsProxyBlockingStub stub(ManagedChannel channel, String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return SecretsProxyGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    public static ConnectionRef ref(String scope, String source, String name) {
        String[] s = scope.split(":", 2);
        return ConnectionRef.newBuilder().setScope(Scope.newBuilder().setKind(s[0]).setId(s[1])).setSource(source).setName(name).build();
    }

    /** Someone whose scope chain is org:acme, workspace:payments, user:dev. */
    public static Principal dev() {
        return Principal.newBuilder().setSubject("dev-sub").setUsername("dev")
                .addScopeChain(Scope.newBuilder().setKind("org").setId("acme"))
                .addScopeChain(Scope.newBuilder().setKind("workspace").setId("payments"))
                .addScopeChain(Scope.newBuilder().setKind("user").setId("dev"))
                .build();
    }

    /** Every record value on {@code topic} so far, read from the real broker. */
    public static List<String> consumeAll(String topic) {
        var props = new java.util.Properties();
        props.put("bootstrap.servers", ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        props.put("group.id", "test-" + java.util.UUID.randomUUID());
        props.put("auto.offset.reset", "earliest");
        props.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        props.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        List<String> values = new ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(props)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 10_000;
            int emptyPolls = 0;
            while (System.currentTimeMillis() < deadline && emptyPolls < 3) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty() && !consumer.assignment().isEmpty()) {
                    emptyPolls++;
                }
                records.forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }

    public static Connection jdbc() throws SQLException {
        var config = ConfigProvider.getConfig();
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class));
    }

    /** Every row of every table of schema {@code secrets}, as text (bytea as hex). */
    public static List<String> allRows() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = jdbc(); var tables = c.createStatement().executeQuery(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'secrets'")) {
            List<String> names = new ArrayList<>();
            while (tables.next()) {
                names.add(tables.getString(1));
            }
            for (String table : names) {
                try (var rs = c.createStatement().executeQuery("SELECT t::text FROM secrets.\"" + table + "\" t")) {
                    while (rs.next()) {
                        rows.add(table + ": " + rs.getString(1));
                    }
                }
            }
        }
        return rows;
    }
}
