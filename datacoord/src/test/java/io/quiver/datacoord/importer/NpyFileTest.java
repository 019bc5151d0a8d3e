package io.quiver.datacoord.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NpyFileTest {
    @Test
    void parsesTheHeaderNumpySaveWrites() {
        byte[] f = ImportTestData.npy("<f4", "(3, 128)", new byte[3 * 128 * 4]);
        NpyFile n = NpyFile.parse("v.npy", f);
        assertThat(n.rows()).isEqualTo(3);
        assertThat(n.perRow()).isEqualTo(128);
        assertThat(n.kind()).isEqualTo('f');
        assertThat(n.itemSize()).isEqualTo(4);
        assertThat(n.rowBytes()).isEqualTo(512);
        assertThat(n.dataOffset() % 64).isZero();
        NpyFile s = NpyFile.parse("s.npy", ImportTestData.npy("<U5", "(2,)", new byte[40]));
        assertThat(s.itemSize()).isEqualTo(20);
        assertThat(s.perRow()).isEqualTo(1);
    }

    @Test
    void refusesWhatItCannotRead() {
        assertThatThrownBy(() -> NpyFile.parse("x.npy", "not numpy at all".getBytes(StandardCharsets.US_ASCII)))
                .hasMessageContaining("x.npy is not a NumPy file: bad magic");
        byte[] fortran = ImportTestData.npy("<f4", "(2, 2)", new byte[16]);
        String h = new String(fortran, StandardCharsets.ISO_8859_1).replace("'fortran_order': False", "'fortran_order': True ");
        assertThatThrownBy(() -> NpyFile.parse("f.npy", h.getBytes(StandardCharsets.ISO_8859_1)))
                .hasMessageContaining("Fortran-ordered");
        assertThatThrownBy(() -> NpyFile.parse("s.npy", ImportTestData.npy("<f4", "()", new byte[4])))
                .hasMessageContaining("needs a row dimension");
    }
}
