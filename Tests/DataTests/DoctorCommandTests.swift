import Foundation
import Testing

/// `voxelfm doctor`, and the huge-page switch every voxelfm command sets before libtorch's first allocation.
@Suite(.enabled(if: DatasetTestSupport.voxelfmExecutable() != nil, "voxelfm is not built beside the tests"))
struct DoctorCommandTests {
    @Test func doctorReportsTheRuntimeAndHugePagesAreOnByDefault() throws {
        let executable = try #require(DatasetTestSupport.voxelfmExecutable())
        let result = try DatasetTestSupport.run(executable, ["doctor"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("libtorch: 2."))
        #expect(result.out.contains("huge pages for large tensors: yes"))
    }

    @Test func anExplicitHugePageSettingIsHonoured() throws {
        let executable = try #require(DatasetTestSupport.voxelfmExecutable())
        let result = try DatasetTestSupport.run(executable, ["doctor"], environment: ["THP_MEM_ALLOC_ENABLE": "0"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("huge pages for large tensors: no"))
    }
}
