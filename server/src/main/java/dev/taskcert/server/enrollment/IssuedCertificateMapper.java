package dev.taskcert.server.enrollment;

import java.time.Instant;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** SQL for the record of every certificate the CA issued. */
public interface IssuedCertificateMapper {

  @Insert("""
      insert into issued_certificate
        (serial_hex, task_instance_id, try_number, execution_generation, spiffe_id, not_before, not_after, renewed_from)
      values (#{serialHex}, #{taskInstanceId}, #{tryNumber}, #{generation}, #{spiffeId}, #{notBefore}, #{notAfter},
              #{renewedFrom})""")
  void insert(
      @Param("serialHex") String serialHex,
      @Param("taskInstanceId") Long taskInstanceId,
      @Param("tryNumber") Integer tryNumber,
      @Param("generation") int generation,
      @Param("spiffeId") String spiffeId,
      @Param("notBefore") Instant notBefore,
      @Param("notAfter") Instant notAfter,
      @Param("renewedFrom") String renewedFrom);

  /** The execution generation a certificate was issued for; {@code null} for a serial never issued to a task. */
  @Select("select execution_generation from issued_certificate where serial_hex = #{serialHex}")
  Integer generationOf(@Param("serialHex") String serialHex);
}
