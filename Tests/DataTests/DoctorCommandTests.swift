import Foundation
import Testing
import VoxelFMTestSupport

/// `voxelfm doctor`, and the huge-page switch every voxelfm command sets before libtorch's first allocation.
@Suite(.enabled(if: VoxelFMCommand.isBuilt, "voxelfm is not built beside the tests"))
struct DoctorCommandTests {
    @Test func doctorReportsTheRuntimeAndHugePagesAreOnByDefault() throws {
        let result = try VoxelFMCommand.run(["doctor"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("libtorch: 2."))
        #expect(result.out.contains("huge pages for large tensors: yes"))
    }

    @Test func anExplicitHugePageSettingIsHonoured() throws {
        let result = try VoxelFMCommand.run(["doctor"], environment: ["THP_MEM_ALLOC_ENABLE": "0"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("huge pages for large tensors: no"))
    }
}
