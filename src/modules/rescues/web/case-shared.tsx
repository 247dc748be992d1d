import { useMutation, useQueryClient } from '@tanstack/react-query';
import { rescueKeys } from './rescues-api';

/** A mutation on the case that refreshes the case (and the lists) once it is done. */
export function useCaseMutation<V, R = unknown>(
  code: string,
  fn: (v: V) => Promise<R>,
  done?: (r: R) => void,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async (r) => {
      done?.(r);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: rescueKeys.case(code) }),
        queryClient.invalidateQueries({ queryKey: rescueKeys.all, refetchType: 'none' }),
      ]);
    },
  });
}
