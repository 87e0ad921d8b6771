/** The "statistic over examples" control of the distance charts (KLoM, GKL). */
export function StatSelect<S extends string>({
  value,
  labels,
  onChange,
}: {
  value: S;
  labels: Record<S, string>;
  onChange: (s: S) => void;
}) {
  return (
    <label className="field inline">
      <span>Statistic over examples</span>
      <select value={value} onChange={(e) => onChange(e.currentTarget.value as S)}>
        {(Object.entries(labels) as [S, string][]).map(([k, v]) => (
          <option key={k} value={k}>
            {v}
          </option>
        ))}
      </select>
    </label>
  );
}
