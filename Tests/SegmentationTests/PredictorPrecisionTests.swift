import Data
import Foundation
import Segmentation
import Testing
import Torch
import Training

/// `Predictor(precision:)`: the network under autocast, blending in float32.
@Suite struct PredictorPrecisionTests {
    @Test func bf16ForwardChangesTheLogitsSlightlyAndKeepsThemFloat32() throws {
        let root = ImportTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (bundle, _) = try NnUNetImport.importModel(from: ImportTests.modelFolder, to: root + "/bundle")
        let files = try ProbabilityOutputTests.writeCase(channels: 2, folder: root + "/in")
        let image = { try NnUNetCase(name: "case", split: .test, imageFiles: files, labelFile: nil).readImage() }
        let full = try Predictor(bundle: bundle, mirroring: false).logits(image: image(), name: "case").logits
        let low = try Predictor(bundle: bundle, mirroring: false, precision: .bf16).logits(image: image(), name: "case").logits
        #expect(low.dtype == .float32 && low.shape == full.shape)
        // bfloat16 keeps 8 significant bits: the logits move (so autocast ran), but only by a few percent of their range.
        let difference = try (low - full).abs().max().item()
        let range = try full.abs().max().item()
        #expect(difference > 0, "bf16 gave exactly the float32 logits: autocast did not run")
        #expect(difference < 0.1 * range, "difference \(difference) against a range of \(range)")
    }
}
