using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Kinema.Tests.Shared;

/// <summary>
/// Reads an assembly's IL for the TorchSharp calls that hand libtorch a Scalar nobody holds: tensor + tensor (a
/// temporary alpha of 1), a number turned into a Scalar at the call (<c>arange(n)</c>, <c>full(shape, v)</c>), and
/// TorchSharp's number operators (<c>x * 0.5</c>, <c>1 - x</c>), which make the same temporary inside. A garbage
/// collection during the native call can finalize that Scalar while libtorch reads it (Kinema.Runtime.HeldScalars).
/// Compiled into each test project that guards a library (linked from tests/Shared).
/// </summary>
public static class TemporaryScalarCalls
{
    /// <returns>"Type.Method" for every method that adds tensors with + or with add(other) and no held alpha.</returns>
    public static List<string> UnheldAdditions(string assemblyPath)
        => CallersOf(assemblyPath, (type, name, parameters) => type == "Tensor" && (name == "op_Addition" || (name is "add" or "add_" && parameters == 1)));

    /// <returns>"Type.Method" for every method that turns a number into a Scalar it does not hold: implicitly, through
    /// a number operator, or with <c>ToScalar()</c> passed straight on (<c>x.clamp_min(1e-4.ToScalar())</c>) rather than
    /// stored in a local, a field or returned.</returns>
    public static List<string> TemporaryScalars(string assemblyPath)
        => CallersOf(assemblyPath, (type, name, _) => type == "Scalar" && name == "op_Implicit")
            .Concat(CallersOf(assemblyPath, (type, name, _) => type == "Tensor" && name is "op_Multiply" or "op_Subtraction" or "op_Division" or "op_Modulus",
                numberParameter: true))
            .Concat(CallersOf(assemblyPath, (_, name, _) => name == "ToScalar", unlessNext: IsStore))
            .Distinct().ToList();

    private static bool IsStore(ILOpCode op) => op is ILOpCode.Stloc_0 or ILOpCode.Stloc_1 or ILOpCode.Stloc_2 or ILOpCode.Stloc_3 or ILOpCode.Stloc_s
        or ILOpCode.Stloc or ILOpCode.Stfld or ILOpCode.Stsfld or ILOpCode.Ret;

    /// <summary>
    /// The methods of <paramref name="assemblyPath"/> whose IL calls a member reference matching <paramref name="match"/>
    /// (type name, member name, parameter count); with <paramref name="numberParameter"/>, only overloads taking a number.
    /// </summary>
    /// <param name="unlessNext">When given, a matching call counts only if the instruction after it fails this test.</param>
    public static List<string> CallersOf(string assemblyPath, Func<string, string, int, bool> match, bool numberParameter = false, Func<ILOpCode, bool>? unlessNext = null)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        using var symbols = OpenSymbols(pe, assemblyPath);
        var debug = symbols?.GetMetadataReader();
        var found = new List<string>();
        foreach (var typeHandle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(typeHandle);
            foreach (var methodHandle in type.GetMethods())
            {
                var method = md.GetMethodDefinition(methodHandle);
                if (method.RelativeVirtualAddress == 0) continue;
                var il = pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader();
                string? awaitingNext = null;
                while (il.RemainingBytes > 0)
                {
                    int offset = il.Offset;
                    var op = ReadOpCode(ref il);
                    if (awaitingNext is not null && !unlessNext!(op)) found.Add(awaitingNext);
                    awaitingNext = null;
                    if (op is ILOpCode.Call or ILOpCode.Callvirt && Matches(md, MetadataTokens.EntityHandle(il.ReadInt32()), match, numberParameter))
                    {
                        string caller = $"{md.GetString(type.Name)}.{md.GetString(method.Name)}{SourceLine(debug, methodHandle, offset)}";
                        if (unlessNext is null) found.Add(caller);
                        else awaitingNext = caller;
                    }
                    else if (op is not (ILOpCode.Call or ILOpCode.Callvirt))
                        SkipOperand(op, ref il);
                }
            }
        }
        return found.Distinct().ToList();
    }

    /// <summary>The assembly's own portable PDB, embedded or beside it (checked against the assembly's id), or none.</summary>
    private static MetadataReaderProvider? OpenSymbols(PEReader pe, string assemblyPath)
        => pe.TryOpenAssociatedPortablePdb(assemblyPath, path => File.Exists(path) ? File.OpenRead(path) : null, out var symbols, out _) ? symbols : null;

    /// <returns>" (File.cs:line)" of the statement holding the IL offset, or "" without symbols.</returns>
    private static string SourceLine(MetadataReader? debug, MethodDefinitionHandle method, int offset)
    {
        if (debug is null) return "";
        SequencePoint? statement = null;
        foreach (var point in debug.GetMethodDebugInformation(method.ToDebugInformationHandle()).GetSequencePoints())
            if (!point.IsHidden && point.Offset <= offset) statement = point;
        if (statement is not { } found) return "";
        return $" ({Path.GetFileName(debug.GetString(debug.GetDocument(found.Document).Name))}:{found.StartLine})";
    }

    private static bool Matches(MetadataReader md, EntityHandle handle, Func<string, string, int, bool> match, bool numberParameter)
    {
        if (handle.Kind != HandleKind.MemberReference) return false;
        var member = md.GetMemberReference((MemberReferenceHandle)handle);
        if (member.Parent.Kind != HandleKind.TypeReference) return false;
        var signature = md.GetBlobReader(member.Signature);
        var header = signature.ReadSignatureHeader();
        if (header.Kind != SignatureKind.Method) return false;
        if (header.IsGeneric) signature.ReadCompressedInteger();
        int parameters = signature.ReadCompressedInteger();
        if (!match(md.GetString(md.GetTypeReference((TypeReferenceHandle)member.Parent).Name), md.GetString(member.Name), parameters)) return false;
        if (!numberParameter) return true;
        // Return type, then each parameter: a class or value type is its code and a token; a number is one code byte.
        bool number = false;
        for (int i = 0; i <= parameters; i++)
        {
            byte code = signature.ReadByte();
            const byte Class = 0x12, ValueType = 0x11;   // ELEMENT_TYPE_CLASS and _VALUETYPE, each followed by a type token
            if (code is Class or ValueType) signature.ReadCompressedInteger();
            else if (i > 0 && (SignatureTypeCode)code is >= SignatureTypeCode.SByte and <= SignatureTypeCode.Double) number = true;
            else if ((SignatureTypeCode)code is not (SignatureTypeCode.Void or SignatureTypeCode.Boolean or SignatureTypeCode.String or SignatureTypeCode.Object)) return true;   // anything unusual: report it
        }
        return number;
    }

    private static ILOpCode ReadOpCode(ref BlobReader il)
    {
        byte first = il.ReadByte();
        return first == 0xFE ? (ILOpCode)(0xFE00 | il.ReadByte()) : (ILOpCode)first;
    }

    private static void SkipOperand(ILOpCode op, ref BlobReader il)
    {
        if (op == ILOpCode.Switch)
        {
            int targets = il.ReadInt32();   // read first: the jump table starts after the count
            il.Offset += 4 * targets;
            return;
        }
        il.Offset += op switch
        {
            ILOpCode.Ldarg_s or ILOpCode.Ldarga_s or ILOpCode.Starg_s or ILOpCode.Ldloc_s or ILOpCode.Ldloca_s or ILOpCode.Stloc_s or ILOpCode.Ldc_i4_s
                or ILOpCode.Br_s or ILOpCode.Brfalse_s or ILOpCode.Brtrue_s or ILOpCode.Beq_s or ILOpCode.Bge_s or ILOpCode.Bgt_s or ILOpCode.Ble_s
                or ILOpCode.Blt_s or ILOpCode.Bne_un_s or ILOpCode.Bge_un_s or ILOpCode.Bgt_un_s or ILOpCode.Ble_un_s or ILOpCode.Blt_un_s
                or ILOpCode.Leave_s or ILOpCode.Unaligned => 1,
            ILOpCode.Ldarg or ILOpCode.Ldarga or ILOpCode.Starg or ILOpCode.Ldloc or ILOpCode.Ldloca or ILOpCode.Stloc => 2,
            ILOpCode.Ldc_i8 or ILOpCode.Ldc_r8 => 8,
            ILOpCode.Ldc_i4 or ILOpCode.Ldc_r4 or ILOpCode.Br or ILOpCode.Brfalse or ILOpCode.Brtrue or ILOpCode.Beq or ILOpCode.Bge or ILOpCode.Bgt
                or ILOpCode.Ble or ILOpCode.Blt or ILOpCode.Bne_un or ILOpCode.Bge_un or ILOpCode.Bgt_un or ILOpCode.Ble_un or ILOpCode.Blt_un
                or ILOpCode.Leave or ILOpCode.Jmp or ILOpCode.Newobj or ILOpCode.Calli or ILOpCode.Ldftn or ILOpCode.Ldvirtftn or ILOpCode.Ldstr
                or ILOpCode.Ldfld or ILOpCode.Ldflda or ILOpCode.Stfld or ILOpCode.Ldsfld or ILOpCode.Ldsflda or ILOpCode.Stsfld or ILOpCode.Ldtoken
                or ILOpCode.Box or ILOpCode.Unbox or ILOpCode.Unbox_any or ILOpCode.Castclass or ILOpCode.Isinst or ILOpCode.Newarr
                or ILOpCode.Ldelema or ILOpCode.Ldelem or ILOpCode.Stelem or ILOpCode.Ldobj or ILOpCode.Stobj or ILOpCode.Cpobj
                or ILOpCode.Initobj or ILOpCode.Sizeof or ILOpCode.Mkrefany or ILOpCode.Refanyval or ILOpCode.Constrained => 4,
            _ => 0,
        };
    }
}
