package io.quiver.proxy.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.SearchRequest;
import io.quiver.proxy.InProcessMilvus;
import io.quiver.proxy.ProxyInterceptors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every call through the public service leaves one line with its database, collection, status and latency. */
class AccessLogInterceptorTest {
    @TempDir
    Path tmp;

    @Test
    void oneLinePerCallWithWhatTheCallNamedAndHowItEnded() throws Exception {
        Path file = tmp.resolve("access.log");
        AtomicLong nanos = new AtomicLong();
        InstantSource clock = () -> Instant.parse("2025-01-01T00:00:00Z");
        AccessLogWriter writer = AccessLogWriter.open(file, AccessLogFormat.compile(
                "$method_name db=$database_name coll=$collection_name part=$partition_name code=$error_code cost=$time_cost user=$user_name"),
                new SimpleMeterRegistry());
        // each reading of the fake ticker moves it 2 ms: a call's latency is exactly 2 ms
        AccessLogInterceptor interceptor = new AccessLogInterceptor(writer, clock, () -> nanos.getAndAdd(2_000_000));
        try (InProcessMilvus milvus = new InProcessMilvus(List.of(interceptor, ProxyInterceptors.database()))) {
            Metadata h = new Metadata();
            h.put(Metadata.Key.of("dbname", Metadata.ASCII_STRING_MARSHALLER), "sales");
            var stub = milvus.stub().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h));
            stub.search(SearchRequest.newBuilder().setCollectionName("orders").addPartitionNames("p1").addPartitionNames("p2").build());
            stub.insert(InsertRequest.newBuilder().setDbName("archive").setCollectionName("old").setPartitionName("p0").setNumRows(1).build());
            stub.query(QueryRequest.newBuilder().setCollectionName("gone").build());
        }
        writer.close();
        assertThat(Files.readAllLines(file)).containsExactly(
                "Search db=sales coll=orders part=p1,p2 code=0 cost=2.000ms user=Unknown",
                "Insert db=archive coll=old part=p0 code=0 cost=2.000ms user=Unknown",
                "Query db=sales coll=gone part=Unknown code=100 cost=2.000ms user=Unknown");
    }
}
