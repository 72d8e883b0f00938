import Foundation
import Testing
@testable import Data
import VoxelFMTestSupport

@Suite struct SynthDatasetTests {
    @Test func writesACompleteNnUNetRawDataset() throws {
        let folder = try DatasetTestSupport.brainDataset(cases: 3, testCases: 2)
        let dataset = try NnUNetDataset.load(folder)
        #expect(dataset.metadata.numTraining == 3)
        #expect(dataset.metadata.channelNames == ["T1", "T1ce", "T2", "FLAIR"])
        #expect(dataset.metadata.regionsClassOrder == [1, 2, 3])
        #expect(dataset.trainingCases.map(\.name) == ["brain_000", "brain_001", "brain_002"])
        #expect(dataset.testCases.map(\.name) == ["brain_003", "brain_004"])
        #expect(dataset.testCases.allSatisfy { $0.labelFile != nil })
        let first = dataset.trainingCases[0]
        #expect(first.imageFiles.map { ($0 as NSString).lastPathComponent } ==
                ["brain_000_0000.nii.gz", "brain_000_0001.nii.gz", "brain_000_0002.nii.gz", "brain_000_0003.nii.gz"])

        // What is read back is what the phantom generated (int16 storage, values already whole).
        let (image, label) = try first.readImageAndLabel()
        let generated = try DatasetTestSupport.smallBrain().generate(seed: 7, index: 0)
        #expect(image.values == generated.image.values)
        #expect(label.values == generated.label.values)
        let volume = try NiftiReader.read(path: first.imageFiles[0])
        #expect(volume.header.qformCode == 1 && volume.header.sformCode == 1)
        #expect(volume.data.dataType == .int16)
        #expect(DatasetCheck.run(folder).problems == [])
    }

    @Test func refusesANonEmptyFolderUnlessForced() throws {
        let folder = try DatasetTestSupport.scratchFolder("synth")
        try Data("x".utf8).write(to: URL(fileURLWithPath: DatasetTestSupport.path(folder, "notes.txt")))
        let phantom = try DatasetTestSupport.smallCT()
        #expect(throws: SynthesisError.self) { try SyntheticDatasetWriter.write(phantom, cases: 1, to: folder) }
        let summary = try SyntheticDatasetWriter.write(phantom, cases: 1, to: folder, force: true)
        #expect(summary.fileCount == 3)
        #expect(FileManager.default.fileExists(atPath: DatasetTestSupport.path(folder, "notes.txt")))
    }

    @Test func unlabeledWritesAPlainFolderThatGroupsBySubject() throws {
        let folder = try DatasetTestSupport.scratchFolder("unlabeled")
        let summary = try SyntheticDatasetWriter.write(try DatasetTestSupport.smallBrain(), cases: 2, testCases: 1, seed: 3,
                                                       to: folder, unlabeled: true)
        #expect(summary.fileCount == 12)
        #expect(!FileManager.default.fileExists(atPath: DatasetTestSupport.path(folder, "dataset.json")))
        let collection = try UnlabeledCollection.load(folder, pattern: "{subject}_{modality}.nii.gz")
        #expect(collection.subjects.map(\.name) == ["brain_000", "brain_001", "brain_002"])
        #expect(collection.modalities == ["flair", "t1", "t1ce", "t2"])
        let image = try collection.readImage(collection.subjects[1], modalities: ["t1", "t1ce", "t2", "flair"])
        #expect(image.channels == 4)
        #expect(image.values == (try DatasetTestSupport.smallBrain()).generate(seed: 3, index: 1).image.values)
    }

    @Test func ctDatasetDeclaresTheOrgans() throws {
        let folder = try DatasetTestSupport.scratchFolder("ct")
        _ = try SyntheticDatasetWriter.write(try DatasetTestSupport.smallCT(), cases: 2, to: folder)
        let metadata = try NnUNetDatasetJSON.load(path: DatasetTestSupport.path(folder, "dataset.json"))
        #expect(metadata.channelNames == ["CT"])
        #expect(metadata.labels.map(\.name) == ["background", "liver", "spleen", "left kidney", "right kidney", "pancreas", "aorta"])
        #expect(metadata.labelValues == Array(0...6))
        #expect(try NnUNetDataset.load(folder).trainingCases.map(\.name) == ["ct_000", "ct_001"])
        #expect(DatasetCheck.run(folder).isValid)
    }

    @Test func commandLineRefusesANonEmptyFolderInOneLine() throws {
        guard VoxelFMCommand.isBuilt else { return }
        let folder = try DatasetTestSupport.scratchFolder("cli")
        let arguments = ["synth", "--kind", "ct-organs", "--cases", "1", "--size", "24x20x10", "--out", folder]
        let first = try VoxelFMCommand.run(arguments)
        #expect(first.status == 0)
        #expect(first.out.hasPrefix("wrote 1 training + 0 test cases (3 files)"))
        #expect(first.err.contains("[1/1] ct_000"))
        let again = try VoxelFMCommand.run(arguments)
        #expect(again.status == 1)
        #expect(again.err == "Error: \(folder) is not empty (use --force to overwrite it)\n")
        #expect(try VoxelFMCommand.run(arguments + ["--force", "--quiet"]).status == 0)
        let bad = try VoxelFMCommand.run(["synth", "--kind", "brain-tumor", "--cases", "0", "--out", folder])
        #expect(bad.status == 1 && bad.err.split(separator: "\n").count == 1)
    }
}
