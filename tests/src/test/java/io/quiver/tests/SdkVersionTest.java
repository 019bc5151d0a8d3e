package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Proves which SDK each run of the suite uses (2.5.10 by default, 2.6.0 in the sdk26 execution). */
class SdkVersionTest {
    @Test
    void theSdkOnTheClasspathIsTheOneThisRunIsFor() throws Exception {
        String expected = System.getProperty("quiver.sdk.version", "2.5.10");
        var url = io.milvus.v2.client.MilvusClientV2.class.getProtectionDomain().getCodeSource().getLocation();
        assertThat(url.getPath()).contains("milvus-sdk-java-" + expected);
        System.out.println("SDK under test: " + url.getPath());
    }
}
